"""Inputs for relu, relu_backward and softmax, and the inputs that tell known mistakes apart."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from graders.strategies.arrays import DTYPES, floats, shapes

# Strategies are immutable, so each is built once: hypothesis then caches what it
# learns about them instead of recomputing it for every check of every submission.
PRE_ACTIVATIONS = floats()  # z: 1-D or 2-D, zeros included, magnitudes up to 1e4
LOGITS = floats()  # softmax inputs: rows of logits, magnitudes up to 1e4
MODERATE_LOGITS = floats(scales=(1.0, 3.0, 30.0))  # where plain exp/sum cannot overflow


@st.composite
def upstream_and_z(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """(dout, z) of one shape and dtype; z has exact zeros often."""
    shape = draw(shapes())
    dtype = draw(st.sampled_from(DTYPES))
    dout = draw(floats(shape=shape, scales=(1.0, 30.0), dtypes=(dtype,)))
    z = draw(floats(shape=shape, dtypes=(dtype,)))
    return dout, z


UPSTREAM_AND_Z = upstream_and_z()


_Z = np.array([[-2.0, 0.0, 3.0], [0.5, -0.5, 0.0]])
_DOUT = np.array([[1.5, -2.0, 0.7], [-1.0, 3.0, 2.0]])

# Inputs chosen so that every known mistake gives a different answer on them.
DIAGNOSTIC = {
    "relu": [(_Z,)],
    "relu_backward": [(_DOUT, _Z)],
    "softmax": [
        (np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 4.0]]),),
        (np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]]),),
        (np.array([[0.5, 1.5], [2.0, -1.0], [0.0, 0.0]]),),
        (np.array([[0.5, 1.5], [3.0, -1.0]]),),  # square: a missing keepdims gives values
    ],
}
