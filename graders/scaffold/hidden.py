"""Properties students must not see: they run when work is graded, never in a student kit."""

from __future__ import annotations

import numpy as np

from graders.checks.core import as_array
from graders.contract import Fail, Property
from graders.inputs import arrays

from .contracts import leaky_relu


def monotone(out: object, z: np.ndarray, alpha: float) -> None:
    """leaky_relu never reverses the order of two inputs"""
    got = as_array(out, "leaky_relu").astype(np.float64)
    if got.shape != z.shape:  # a property may assume only what it has checked
        raise Fail(f"leaky_relu(z, {alpha}) has shape {got.shape}, not z's shape {z.shape}")
    got = got.ravel()
    order = np.argsort(z.astype(np.float64).ravel(), kind="stable")
    if np.any(np.diff(got[order]) < -1e-6):
        raise Fail(f"leaky_relu(z, {alpha}) put a larger z below a smaller one")


leaky_relu_monotone = Property(
    leaky_relu,
    monotone,
    inputs=arrays().map(lambda z: (z, 0.1)),
    visibility="hidden",
)
