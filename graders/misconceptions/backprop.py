"""Known wrong backprop_delta1 implementations, keyed by misconception id."""

from __future__ import annotations

import numpy as np

WRONG = {
    "backprop_delta1": {
        "backprop_uses_w1": lambda d2, W1, W2, z1: (d2 @ W1) * (z1 > 0),
        "backprop_wrong_transpose": lambda d2, W1, W2, z1: (d2 @ W2.T) * (z1 > 0),
        "backprop_missing_mask": lambda d2, W1, W2, z1: d2 @ W2,
        "backprop_mask_is_activation": lambda d2, W1, W2, z1: (d2 @ W2) * np.maximum(z1, 0),
        "backprop_mask_at_zero": lambda d2, W1, W2, z1: (d2 @ W2) * (z1 >= 0),
    },
}
