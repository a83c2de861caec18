"""Hidden checks for mse and mse_grad: agreement with the reference."""

from __future__ import annotations

import numpy as np

from graders.checks.core import (
    CheckFailed,
    Inputs,
    Student,
    as_number,
    call_with,
    expect_close,
    prove,
)
from graders.hidden.activations import tolerance
from graders.strategies.losses import PREDICTIONS_AND_TARGETS
from reference import losses as ref


def check_mse_matches_reference(student: Student) -> None:
    """mse agrees with the reference on generated 1-D and 2-D inputs"""

    def agrees(pair: tuple[np.ndarray, np.ndarray]) -> None:
        inputs = Inputs(("y_pred", "y_true"), pair)
        got = as_number(call_with(student, "mse", ("y_pred", "y_true"), pair), "mse")
        expected = ref.mse(*(a.astype(np.float64) for a in pair))
        if not np.isclose(got, expected, **tolerance(*pair)):
            raise CheckFailed(
                f"mse returned {got:.6g}; expected {expected:.6g}",
                function="mse",
                counterexample=str(inputs),
            )

    prove(agrees, PREDICTIONS_AND_TARGETS)


def check_mse_grad_matches_reference(student: Student) -> None:
    """mse_grad agrees with the reference on generated 1-D and 2-D inputs"""

    def agrees(pair: tuple[np.ndarray, np.ndarray]) -> None:
        inputs = Inputs(("y_pred", "y_true"), pair)
        got = call_with(student, "mse_grad", ("y_pred", "y_true"), pair)
        expected = ref.mse_grad(*(a.astype(np.float64) for a in pair))
        expect_close(
            got, expected, "mse_grad", function="mse_grad", inputs=inputs, **tolerance(*pair)
        )

    prove(agrees, PREDICTIONS_AND_TARGETS)
