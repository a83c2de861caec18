"""Public checks for mse and mse_grad: hand-worked examples."""

from __future__ import annotations

import numpy as np

from graders.checks.core import CheckFailed, Student, as_number, call_with, expect_close, show

Y_PRED = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])  # (3, 2)
Y_TRUE = np.array([[1.0, 0.0], [1.0, 4.0], [0.0, 2.0]])  # (3, 2): errors 0, 2, 2, 0, 0, -2


def check_mse_examples(student: Student) -> None:
    """mse returns one float: the mean of the squared errors over every element"""
    cases = [
        ((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), 4.0 / 3.0),
        ((Y_PRED, Y_TRUE), 12.0 / 6.0),
        ((np.zeros((2, 5), dtype=np.float32), np.zeros((2, 5), dtype=np.float32)), 0.0),
    ]
    for args, expected in cases:
        inputs = f"y_pred = {show(args[0])}; y_true = {show(args[1])}"
        got = as_number(call_with(student, "mse", ("y_pred", "y_true"), args), "mse")
        if not np.isclose(got, expected, rtol=1e-6):
            raise CheckFailed(
                f"mse(y_pred, y_true) for {inputs} returned {got:.6g}; expected {expected:.6g}",
                function="mse",
                counterexample=inputs,
            )


def check_mse_grad_examples(student: Student) -> None:
    """mse_grad returns 2 * (y_pred - y_true) / N, with N the number of elements"""
    cases = [
        ((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), [0.0, 0.0, -4.0 / 3.0]),
        ((Y_PRED, Y_TRUE), [[0.0, 4.0 / 6.0], [4.0 / 6.0, 0.0], [0.0, -4.0 / 6.0]]),
    ]
    for args, expected in cases:
        inputs = f"y_pred = {show(args[0])}; y_true = {show(args[1])}"
        got = call_with(student, "mse_grad", ("y_pred", "y_true"), args)
        expect_close(
            got, np.array(expected), f"mse_grad for {inputs}", function="mse_grad", inputs=inputs
        )
