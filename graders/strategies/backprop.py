"""Inputs for backprop_delta1, and the inputs that tell known mistakes apart."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from graders.strategies.arrays import DTYPES, fill


@st.composite
def layer_tensors(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """(delta2, W1, W2, z1) for a batch of N, with in/hidden/out sizes drawn independently."""
    n, n_in, hidden, out = (draw(st.integers(1, 6)) for _ in range(4))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**16))
    zeros = draw(st.sampled_from((0.0, 0.3)))
    delta2 = fill((n, out), dtype, 1.0, seed, 0.0)  # (N, out)
    W1 = fill((hidden, n_in), dtype, 1.0, seed + 1, 0.0)  # (hidden, in)
    W2 = fill((out, hidden), dtype, 1.0, seed + 2, 0.0)  # (out, hidden)
    z1 = fill((n, hidden), dtype, 3.0, seed + 3, zeros)  # (N, hidden), exact zeros often
    return delta2, W1, W2, z1


LAYER_TENSORS = layer_tensors()


_RNG = np.random.default_rng(7)
_SQUARE = tuple(np.round(_RNG.uniform(-2, 2, (3, 3)), 1) for _ in range(4))
_SQUARE[3][0, 0] = 0.0  # an exact zero in z1: masks differ there
# Square first (every wrong version computes something), then (N, out, hidden, in) = (2, 3, 4, 5).
DIAGNOSTIC = {
    "backprop_delta1": [
        _SQUARE,
        (
            np.round(_RNG.uniform(-2, 2, (2, 3)), 1),
            np.round(_RNG.uniform(-2, 2, (4, 5)), 1),
            np.round(_RNG.uniform(-2, 2, (3, 4)), 1),
            np.round(_RNG.uniform(-2, 2, (2, 4)), 1),
        ),
    ],
}
