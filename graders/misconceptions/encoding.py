"""Known wrong one_hot implementations, keyed by misconception id."""

from __future__ import annotations

import numpy as np

WRONG = {
    "one_hot": {
        "one_hot_off_by_one": lambda y, n: np.eye(n)[y - 1],
        "one_hot_off_by_one_up": lambda y, n: np.eye(n)[y + 1],
        "one_hot_sized_from_labels": lambda y, n: np.eye(int(np.max(y)) + 1)[y],
        "one_hot_transposed": lambda y, n: np.eye(n)[y].T,
    },
}
