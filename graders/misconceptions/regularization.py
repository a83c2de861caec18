"""Known wrong l2_grad implementations, keyed by misconception id.

Dropout's mistakes (ignoring `training`, no 1/(1-p) scale, p as the keep
probability, ignoring `rng`) are recognised from statistics in its checks.
"""

from __future__ import annotations

WRONG = {
    "l2_grad": {
        "l2_grad_two_lambda": lambda g, w, lam: g + 2 * lam * w,
        "l2_grad_penalty_not_gradient": lambda g, w, lam: g + lam * w**2,
        "l2_grad_sign_flipped": lambda g, w, lam: g - lam * w,
        "l2_grad_ignores_grad": lambda g, w, lam: lam * w,
    },
}
