"""The reference solution, written like a submission: the grader checks it gets full marks."""

import numpy as np


def leaky_relu(z: np.ndarray, alpha: float) -> np.ndarray:
    """leaky_relu(z) = z if z > 0 else alpha * z, element-wise."""
    return np.where(z > 0, z, alpha * z)  # same shape as z


# A small slope keeps a gradient flowing for negative inputs, so a unit is never stuck at 0.
Q2_ANSWER = "B"
