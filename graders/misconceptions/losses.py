"""Known wrong mse and mse_grad implementations, keyed by misconception id."""

from __future__ import annotations

import numpy as np

WRONG = {
    "mse": {
        "mse_sum_not_mean": lambda p, t: float(np.sum((p - t) ** 2)),
        "mse_no_square": lambda p, t: float(np.mean(p - t)),
        "mse_root": lambda p, t: float(np.sqrt(np.mean((p - t) ** 2))),
    },
    "mse_grad": {
        "mse_grad_missing_two": lambda p, t: (p - t) / p.size,
        "mse_grad_divides_by_rows": lambda p, t: 2 * (p - t) / len(p),
        "mse_grad_sign_flipped": lambda p, t: 2 * (t - p) / p.size,
        "mse_grad_not_divided": lambda p, t: 2 * (p - t),
    },
}
