"""Known wrong relu, relu_backward and softmax implementations, keyed by misconception id."""

from __future__ import annotations

import numpy as np


def _exp_normalise(e: np.ndarray, axis: int = -1) -> np.ndarray:
    return e / e.sum(axis=axis, keepdims=True)


WRONG = {
    "relu": {
        "relu_minimum": lambda z: np.minimum(z, 0),
        "relu_abs": lambda z: np.abs(z),
    },
    "relu_backward": {
        "relu_backward_passes_at_zero": lambda dout, z: dout * (z >= 0),
        "relu_backward_ignores_dout": lambda dout, z: (z > 0).astype(float),
        "relu_backward_masks_dout": lambda dout, z: dout * (dout > 0),
        "relu_backward_returns_relu": lambda dout, z: np.maximum(z, 0),
    },
    "softmax": {
        "softmax_no_max_shift": lambda z: _exp_normalise(np.exp(z)),
        "softmax_wrong_axis": lambda z: _exp_normalise(np.exp(z - z.max(axis=0, keepdims=True)), 0),
        "softmax_not_normalised": lambda z: np.exp(z - z.max(axis=-1, keepdims=True)),
        "softmax_global_max_shift": lambda z: _exp_normalise(np.exp(z - z.max())),
        "softmax_no_keepdims": lambda z: (
            np.exp(z - z.max(axis=-1)) / np.exp(z - z.max(axis=-1)).sum(axis=-1)
        ),
    },
}
