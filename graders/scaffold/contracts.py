"""The assignment's functions, one contract each (see graders/contract.py)."""

from __future__ import annotations

import numpy as np

from graders.checks.core import as_array, show
from graders.contract import Example, Fail, Function, Mistake, Property, arguments
from graders.inputs import arrays, one_of_values

Z = np.array([[-2.0, 0.0, 3.0], [0.5, -0.5, 0.0]])  # (2, 3): negatives, exact zeros, positives

leaky_relu = Function(
    "leaky_relu(z, alpha)",
    doc="Return z where z > 0, else alpha * z.",
    inputs=arguments(z=arrays(), alpha=one_of_values(0.01, 0.1, 0.2)),
    examples=(
        Example((np.array([-2.0, 0.0, 3.0]), 0.1), [-0.2, 0.0, 3.0]),
        Example((Z, 0.5), [[-1.0, 0.0, 3.0], [0.5, -0.25, 0.0]]),
    ),
    examples_title="leaky_relu keeps positive entries and scales the others by alpha",
    reference_title="leaky_relu agrees with the reference on generated inputs",
    mistakes=(
        Mistake(
            "leaky_relu_plain_relu",
            "alpha ignored: a plain ReLU",
            "Negative entries are multiplied by alpha, not set to 0.",
            "np.maximum(z, 0)",
        ),
        Mistake(
            "leaky_relu_scales_positive",
            "alpha applied to the positive side",
            "Positive entries pass unchanged; only z <= 0 is multiplied by alpha.",
            "np.where(z > 0, alpha * z, z)",
        ),
    ),
    diagnostic=((Z, 0.1),),
)


def keeps_shape(out: object, z: np.ndarray, alpha: float) -> None:
    """leaky_relu returns an array of z's shape"""
    got = as_array(out, "leaky_relu")
    if got.shape != z.shape:
        raise Fail(f"leaky_relu(z, {alpha}) for z = {show(z)} has shape {got.shape}; "
                   f"it should keep z's shape {z.shape}")  # fmt: skip


leaky_relu_shape = Property(leaky_relu, keeps_shape, called="shape")
