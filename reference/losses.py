"""Mean squared error and its gradient with respect to the predictions."""

import numpy as np


def mse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """mse = (1/N) * sum_i (y_pred_i - y_true_i)^2, N = number of elements."""
    _check_same_shape(y_pred, y_true)
    # float(...) turns the NumPy scalar into a plain Python float, as the contract asks.
    return float(np.mean((y_pred - y_true) ** 2))


def mse_grad(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """d mse / d y_pred = 2 * (y_pred - y_true) / N, N = number of elements."""
    _check_same_shape(y_pred, y_true)
    # N counts every element (y_pred.size), not just the rows, because mse averages over
    # all of them: for (N, D) predictions, dividing by len(y_pred) would be D times too big.
    return 2 * (y_pred - y_true) / y_pred.size  # same shape as y_pred


def _check_same_shape(y_pred: np.ndarray, y_true: np.ndarray) -> None:
    """Raise ValueError unless shape(y_pred) == shape(y_true)."""
    # Without this, (N,) against (N, 1) would broadcast silently to an (N, N) matrix of
    # differences and give a plausible-looking but wrong loss.
    if np.shape(y_pred) != np.shape(y_true):
        raise ValueError(
            f"y_pred has shape {np.shape(y_pred)} but y_true has shape {np.shape(y_true)}"
        )
