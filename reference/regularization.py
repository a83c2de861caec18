"""Regularisation: inverted dropout and the gradient of an L2 penalty."""

import numpy as np


def dropout(x: np.ndarray, p: float, training: bool, rng: np.random.Generator) -> np.ndarray:
    """dropout(x) = x * m / (1 - p), m_i ~ Bernoulli(1 - p), in training; x otherwise."""
    if not 0 <= p < 1:
        raise ValueError(f"the drop probability p must lie in [0, 1), got {p}")
    # At evaluation time every unit is kept, so the network is deterministic. Because the
    # kept units are scaled up during training (below), nothing needs rescaling here.
    # With p == 0 nothing would be dropped anyway, so we skip drawing the mask.
    if not training or p == 0:
        return x
    mask = rng.random(x.shape) >= p  # same shape as x; True (kept) with probability 1 - p
    # Dividing the kept units by (1 - p) keeps E[output] == x, so the next layer sees
    # activations of the same scale in training and at evaluation ("inverted" dropout).
    # float(p) keeps the scale a Python float, so a float32 x stays float32.
    scale = 1.0 / (1.0 - float(p))
    return x * mask * scale  # same shape and dtype as x


def l2_grad(grad: np.ndarray, w: np.ndarray, lam: float) -> np.ndarray:
    """d/dw [L + (lam/2) * ||w||^2] = grad + lam * w."""
    # The 1/2 in the penalty cancels the 2 from differentiating w^2, leaving lam * w.
    return grad + lam * w  # same shape as w
