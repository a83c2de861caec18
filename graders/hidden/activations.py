"""Hidden checks for relu, relu_backward and softmax: agreement with the reference."""

from __future__ import annotations

import numpy as np

from graders.checks.core import Inputs, Student, call_with, expect_close, prove
from graders.strategies.activations import LOGITS, PRE_ACTIVATIONS, UPSTREAM_AND_Z
from reference import activations as ref


def tolerance(*arrays: np.ndarray) -> dict[str, float]:
    """float32 inputs get float32 tolerances; everything else is compared in float64."""
    single = any(a.dtype == np.float32 for a in arrays)
    return {"rtol": 1e-4, "atol": 1e-6} if single else {"rtol": 1e-6, "atol": 1e-9}


def check_relu_matches_reference(student: Student) -> None:
    """relu agrees with the reference on generated inputs (zeros, |z| up to 1e4, float32)"""

    def agrees(z: np.ndarray) -> None:
        got = call_with(student, "relu", ("z",), (z,))
        inputs = Inputs(("z",), (z,))
        expected = ref.relu(z.astype(np.float64))
        expect_close(got, expected, "relu(z)", function="relu", inputs=inputs, **tolerance(z))

    prove(agrees, PRE_ACTIVATIONS)


def check_relu_backward_matches_reference(student: Student) -> None:
    """relu_backward agrees with the reference on generated inputs, exact zeros included"""

    def agrees(pair: tuple[np.ndarray, np.ndarray]) -> None:
        dout, z = pair
        got = call_with(student, "relu_backward", ("dout", "z"), pair)
        inputs = Inputs(("dout", "z"), pair)
        expected = ref.relu_backward(dout.astype(np.float64), z.astype(np.float64))
        expect_close(
            got,
            expected,
            "relu_backward(dout, z)",
            function="relu_backward",
            inputs=inputs,
            **tolerance(dout, z),
        )

    prove(agrees, UPSTREAM_AND_Z)


def check_softmax_matches_reference(student: Student) -> None:
    """softmax agrees with the reference on 1-D and 2-D inputs up to |z| = 1e4"""

    def agrees(z: np.ndarray) -> None:
        got = call_with(student, "softmax", ("z",), (z,))
        expected = ref.softmax(z.astype(np.float64))
        inputs = Inputs(("z",), (z,))
        expect_close(got, expected, "softmax(z)", function="softmax", inputs=inputs, **tolerance(z))

    prove(agrees, LOGITS)
