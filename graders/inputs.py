"""Strategies for contract inputs, built on hypothesis.extra.numpy (deferred until drawn:
graders.strategies).

Arrays reach the edges the course cares about: exact zeros (hypothesis favours them),
magnitudes up to 1e4, 1-D and 2-D shapes that are often not square, float32 and float64.
Elements are drawn as float32-representable numbers, so a float32 input is exactly the
float64 one, and the reference computed in float64 is the answer for both.
Hypothesis shrinks a failure towards small shapes and simple values: the counterexample
a student sees reads `z = [0., 710.]`, not a page of random digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graders.strategies import Deferred, Draw, hnp, st

DTYPES = ("float64", "float32")


def shapes(min_dims: int = 1, max_dims: int = 2, max_side: int = 7) -> Deferred:
    """1-D or 2-D shapes with sides 1..max_side, drawn independently (often not square)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def elements(scale: float) -> Deferred:
    """Finite float32-representable numbers in [-scale, scale], no subnormals."""
    return st.floats(-scale, scale, width=32, allow_nan=False, allow_subnormal=False)


def arrays(
    scale: float = 1e4,
    shape: Any = None,
    dtypes: tuple[str, ...] = DTYPES,
) -> Deferred:
    """Float arrays of a drawn 1-D/2-D shape (or `shape`) and dtype, entries in [-scale, scale]."""
    return hnp.arrays(
        dtype=st.sampled_from([np.dtype(d) for d in dtypes]),
        shape=shapes() if shape is None else shape,
        elements=elements(scale),
    )


@st.composite
def same_shape(
    draw: Draw, count: int, scales: tuple[float, ...] = (1e4,)
) -> tuple[np.ndarray, ...]:
    """`count` arrays of one drawn shape and dtype; array i has entries up to scales[i]."""
    shape = draw(shapes())
    dtype = draw(st.sampled_from(DTYPES))
    scale_of = [scales[min(i, len(scales) - 1)] for i in range(count)]
    return tuple(draw(arrays(scale, shape=shape, dtypes=(dtype,))) for scale in scale_of)


@st.composite
def labels(draw: Draw, max_classes: int = 12, max_len: int = 15) -> tuple[np.ndarray, int]:
    """(y, n_classes): 1-D integer labels in [0, n_classes), often missing the top classes."""
    n_classes = draw(st.integers(1, max_classes))
    top = draw(st.integers(1, n_classes))  # labels < top: a batch may lack the high classes
    dtype = draw(st.sampled_from((np.dtype("int64"), np.dtype("int32"))))
    y = draw(hnp.arrays(dtype, st.integers(1, max_len), elements=st.integers(0, top - 1)))
    return y, n_classes


def one_of_values(*values: Any) -> Deferred:
    """One of a few given values (a learning rate, a lambda), shrinking to the first."""
    return st.sampled_from(values)
