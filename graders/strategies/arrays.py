"""Float arrays that reach the edges: exact zeros, |z| up to 1e4, 1-D and 2-D,
non-square shapes, float32 and float64.

Arrays are drawn as a few small choices (shape, dtype, scale, a seed) and then
filled by NumPy, not element by element: generation stays ~10x faster, and
hypothesis still shrinks towards small shapes, small scales and seed 0.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

SCALES = (1.0, 3.0, 30.0, 1e3, 1e4)
DTYPES = ("float64", "float32")


@st.composite
def shapes(draw: st.DrawFn, min_dims: int = 1, max_dims: int = 2, max_side: int = 7) -> tuple:
    """A 1-D or 2-D shape; 2-D shapes are often not square."""
    ndim = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.integers(1, max_side)) for _ in range(ndim))


def fill(shape: tuple, dtype: str, scale: float, seed: int, zeros: float) -> np.ndarray:
    """Uniform values in [-scale, scale] with a fraction `zeros` set to exactly 0."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(-scale, scale, size=shape)
    values[rng.random(shape) < zeros] = 0.0
    return values.astype(dtype)


@st.composite
def floats(
    draw: st.DrawFn,
    shape: tuple | None = None,
    scales: tuple[float, ...] = SCALES,
    dtypes: tuple[str, ...] = DTYPES,
) -> np.ndarray:
    """A float array of `shape` (or a drawn 1-D/2-D shape) reaching zeros and 1e4."""
    shape = shape if shape is not None else draw(shapes())
    dtype = draw(st.sampled_from(dtypes))
    scale = draw(st.sampled_from(scales))
    zeros = draw(st.sampled_from((0.0, 0.25, 1.0)))
    seed = draw(st.integers(0, 2**16))
    return fill(shape, dtype, scale, seed, zeros)


@st.composite
def same_shape_pair(draw: st.DrawFn, scales: tuple[float, ...] = SCALES) -> tuple:
    """Two float arrays of one drawn shape and dtype (e.g. y_pred and y_true)."""
    shape = draw(shapes())
    dtype = draw(st.sampled_from(DTYPES))
    first = draw(floats(shape=shape, scales=scales, dtypes=(dtype,)))
    second = draw(floats(shape=shape, scales=scales, dtypes=(dtype,)))
    return first, second
