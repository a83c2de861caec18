"""Hidden checks for dropout (statistics) and l2_grad (agreement with the reference)."""

from __future__ import annotations

import numpy as np

from graders.checks.core import CheckFailed, Inputs, Student, call_with, expect_close, prove
from graders.checks.regularization import dropout_call
from graders.hidden.activations import tolerance
from graders.strategies.regularization import GRADIENT_WEIGHTS_LAMBDA
from reference import regularization as ref


def check_dropout_drop_rate(student: Student) -> None:
    """In training, dropout zeroes a fraction p of the entries, for several p"""
    x = np.ones((100, 200))  # 20,000 entries: the drop fraction's std is below 0.004
    for p in (0.2, 0.5, 0.7):
        got = dropout_call(student, x, p, True, seed=11)
        dropped = float(np.mean(got == 0))
        if abs(dropped - p) > 0.03:
            flipped = abs(dropped - (1 - p)) <= 0.03
            raise CheckFailed(
                f"with p = {p}, dropout zeroed {dropped:.1%} of the entries; "
                f"expected about {p:.0%}",
                misconception="dropout_p_is_keep" if flipped else "",
                counterexample=f"x = np.ones((100, 200)); p = {p}; training = True",
            )


def check_dropout_uses_given_rng(student: Student) -> None:
    """dropout draws its mask from the rng it is given, so a seed reproduces it"""
    x = np.ones((20, 30))
    first, again = (dropout_call(student, x, 0.5, True, seed=5) for _ in range(2))
    if not np.array_equal(first, again):
        raise CheckFailed(
            "two calls with identically seeded generators gave different masks",
            misconception="dropout_global_rng",
        )
    other = dropout_call(student, x, 0.5, True, seed=6)
    if np.array_equal(first, other):
        raise CheckFailed(
            "generators with different seeds gave the same mask: is the mask random at all?",
            misconception="dropout_global_rng",
        )


def check_l2_grad_matches_reference(student: Student) -> None:
    """l2_grad agrees with the reference on generated gradients, weights and lambdas"""

    def agrees(case: tuple[np.ndarray, np.ndarray, float]) -> None:
        grad, w, lam = case
        inputs = Inputs(("grad", "w", "lam"), case)
        got = call_with(student, "l2_grad", ("grad", "w", "lam"), case)
        expected = ref.l2_grad(grad.astype(np.float64), w.astype(np.float64), lam)
        expect_close(
            got, expected, "l2_grad", function="l2_grad", inputs=inputs, **tolerance(grad, w)
        )

    prove(agrees, GRADIENT_WEIGHTS_LAMBDA)
