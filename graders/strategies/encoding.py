"""Inputs for one_hot, and the inputs that tell known mistakes apart."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def labels(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """(y, n_classes): integer labels in [0, n_classes), often missing the top classes."""
    n_classes = draw(st.integers(1, 12))
    n = draw(st.integers(1, 15))
    top = draw(st.integers(1, n_classes))  # labels < top: the batch may lack high classes
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from(("int64", "int32")))
    y = np.random.default_rng(seed).integers(0, top, size=n).astype(dtype)
    return y, n_classes


LABELS = labels()


# The top class is left out on purpose: a shifted index fails there in some versions
# and not in others, and both are the same mistake.
DIAGNOSTIC = {"one_hot": [(np.array([0, 2, 1]), 5), (np.array([2, 0, 2, 1]), 4)]}
