"""One-hot encoding of integer class labels."""

import numpy as np


def one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Y[i, c] = 1 if y[i] == c else 0, for i < len(y) and c < n_classes."""
    y = np.asarray(y)  # (N,) integer labels
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per sample), got shape {y.shape}")
    # Negative labels would not fail on their own: advanced indexing wraps them around and
    # silently marks the wrong column, so we reject every label outside [0, n_classes).
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got min {y.min()}, max {y.max()}")
    Y = np.zeros((len(y), n_classes), dtype=np.float64)  # (N, C)
    # Advanced indexing: pairs (row i, column y[i]) pick exactly one cell per row.
    Y[np.arange(len(y)), y] = 1.0
    return Y
