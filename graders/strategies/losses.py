"""Inputs for mse and mse_grad, and the inputs that tell known mistakes apart."""

from __future__ import annotations

import numpy as np

from graders.strategies.arrays import same_shape_pair

# (y_pred, y_true): one shape (1-D or 2-D, often not square), float32 or float64.
PREDICTIONS_AND_TARGETS = same_shape_pair(scales=(1.0, 3.0, 30.0, 1e3))


_PRED = np.array([[1.0, 2.0, 4.0, 0.5], [0.0, -1.0, 3.0, 2.0], [2.0, 2.0, 2.0, -2.0]])  # (3, 4)
_TRUE = np.array([[0.0, 2.5, 1.0, 0.5], [1.0, -3.0, 3.0, 0.0], [0.0, 0.5, 4.0, -1.0]])  # (3, 4)

# (3, 4), not square: dividing by rows (3) and by elements (12) give different answers.
DIAGNOSTIC = {
    "mse": [(_PRED, _TRUE)],
    "mse_grad": [(_PRED, _TRUE)],
}
