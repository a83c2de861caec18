"""Hidden check for backprop_delta1: agreement with the reference."""

from __future__ import annotations

import numpy as np

from graders.checks.backprop import NAMES
from graders.checks.core import Inputs, Student, call_with, expect_close, prove
from graders.hidden.activations import tolerance
from graders.strategies.backprop import LAYER_TENSORS
from reference import backprop as ref


def check_backprop_delta1_matches_reference(student: Student) -> None:
    """backprop_delta1 agrees with the reference for any batch and layer sizes"""

    def agrees(args: tuple[np.ndarray, ...]) -> None:
        inputs = Inputs(NAMES, args)
        got = call_with(student, "backprop_delta1", NAMES, args)
        expected = ref.backprop_delta1(*(a.astype(np.float64) for a in args))
        expect_close(
            got,
            expected,
            "backprop_delta1",
            function="backprop_delta1",
            inputs=inputs,
            **tolerance(*args),
        )

    prove(agrees, LAYER_TENSORS)
