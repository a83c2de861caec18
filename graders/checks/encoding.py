"""Public checks for one_hot: a worked example and the output shape."""

from __future__ import annotations

import numpy as np

from graders.checks.core import CheckFailed, Student, as_array, call_with, expect_close, show


def check_one_hot_examples(student: Student) -> None:
    """one_hot puts a single 1.0 in column y[i] of row i"""
    y = np.array([2, 0, 1, 2])
    expected = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    inputs = f"y = {show(y)}; n_classes = 3"
    got = call_with(student, "one_hot", ("y", "n_classes"), (y, 3))
    expect_close(got, expected, "one_hot(y, 3)", function="one_hot", inputs=inputs)
    if as_array(got, "one_hot").dtype.kind != "f":
        raise CheckFailed(
            f"one_hot returned dtype {got.dtype}; it should be a float array",
            hint="Start from np.zeros((len(y), n_classes)), which is float64.",
        )


def check_one_hot_shape(student: Student) -> None:
    """one_hot has n_classes columns even when the batch lacks the highest classes"""
    y = np.array([0, 2, 1])
    inputs = f"y = {show(y)}; n_classes = 5"
    got = as_array(call_with(student, "one_hot", ("y", "n_classes"), (y, 5)), "one_hot")
    if got.shape != (3, 5):
        raise CheckFailed(
            f"one_hot(y, 5) for y = {show(y)} has shape {got.shape}; expected (len(y), "
            "n_classes) = (3, 5)",
            function="one_hot",
            counterexample=inputs,
        )
