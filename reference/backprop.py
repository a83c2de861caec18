"""Backpropagation through the hidden layer of a two-layer ReLU network."""

import numpy as np


def backprop_delta1(
    delta2: np.ndarray, W1: np.ndarray, W2: np.ndarray, z1: np.ndarray
) -> np.ndarray:
    """delta1 = dL/dz1 = (delta2 @ W2) * relu'(z1), with z2 = relu(z1) @ W2.T + b2."""
    # Shapes, with weights stored (out_features, in_features) as in torch.nn.Linear:
    #   delta2 = dL/dz2: (N, out)   W2: (out, hidden)   z1: (N, hidden)   W1: (hidden, in)
    # W1 is not needed: it maps the input to z1, so it sits *before* the quantity we are
    # differentiating with respect to. It is in the signature only because the buggy course
    # code used it (delta2 @ W1), and the fixed version keeps the same call.
    # Chain rule, step 1: z2 = a1 @ W2.T + b2, so dL/da1 = dL/dz2 @ W2.
    da1 = delta2 @ W2  # (N, out) @ (out, hidden) -> (N, hidden)
    # Chain rule, step 2: a1 = relu(z1), so dL/dz1 = dL/da1 * 1[z1 > 0] (0 at z1 == 0).
    return da1 * (z1 > 0)  # (N, hidden)
