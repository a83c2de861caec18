"""Activations: ReLU and its backward pass, and a numerically stable softmax."""

import numpy as np


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(z, 0), element-wise."""
    return np.maximum(z, 0)  # same shape and dtype as z


def relu_backward(dout: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dL/dz = dL/da * 1[z > 0], element-wise (a = relu(z))."""
    # np.where rather than dout * (z > 0): it gives exactly 0 where z <= 0 even when dout
    # is inf or nan there (inf * 0 is nan), and never a -0.0 from a negative dout.
    # ReLU is not differentiable at z == 0; we take the subgradient 0 there, as PyTorch does.
    return np.where(z > 0, dout, 0)  # same shape as z


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax(z)_i = exp(z_i - max_j z_j) / sum_k exp(z_k - max_j z_j), along the last axis."""
    # Subtracting the max of each row multiplies numerator and denominator by the same
    # factor exp(-max), so the result is unchanged, but every exponent is now <= 0 and
    # np.exp can no longer overflow (np.exp(1000) is inf; inf / inf is nan).
    # keepdims=True keeps the max as (N, 1) (or (1,) for 1-D z) so it broadcasts per row.
    shifted = z - np.max(z, axis=-1, keepdims=True)  # (N, C) or (C,)
    e = np.exp(shifted)  # (N, C); the largest entry of each row is exactly 1
    return e / np.sum(e, axis=-1, keepdims=True)  # (N, C); each row sums to 1
