"""Inputs for dropout and l2_grad, and the inputs that tell known mistakes apart."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from graders.strategies.arrays import DTYPES, floats, shapes


@st.composite
def gradient_weights_lambda(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    """(grad, w, lam): one shape and dtype, lam from 0 to 1."""
    shape = draw(shapes())
    dtype = draw(st.sampled_from(DTYPES))
    grad = draw(floats(shape=shape, scales=(1.0, 30.0), dtypes=(dtype,)))
    w = draw(floats(shape=shape, scales=(1.0, 30.0), dtypes=(dtype,)))
    lam = draw(st.sampled_from((0.0, 0.01, 0.1, 0.5, 1.0)))
    return grad, w, lam


GRADIENT_WEIGHTS_LAMBDA = gradient_weights_lambda()


_GRAD = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
_W = np.array([[1.0, 2.0, -3.0], [4.0, -0.5, 0.25]])

# Dropout's mistakes are told apart by statistics inside its checks, not by values:
# a correct mask may be drawn in many ways (rng.random, rng.binomial, ...).
DIAGNOSTIC = {"l2_grad": [(_GRAD, _W, 0.1)]}
