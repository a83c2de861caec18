"""Public checks for relu, relu_backward and softmax: fixed examples and properties."""

from __future__ import annotations

import numpy as np

from graders.checks.core import CheckFailed, Student, as_array, call_with, expect_close, prove, show
from graders.strategies.activations import MODERATE_LOGITS

Z = np.array([[-2.0, 0.0, 3.0], [0.5, -0.5, 0.0]])  # (2, 3): negatives, exact zeros, positives
DOUT = np.array([[1.5, -2.0, 0.7], [-1.0, 3.0, 2.0]])  # (2, 3)


def _examples(student: Student, function: str, cases: list[tuple[tuple, list]]) -> None:
    """Compare the student's `function` with hand-worked answers."""
    for args, expected in cases:
        names = ("dout", "z")[-len(args) :] if function == "relu_backward" else ("z",)
        inputs = ", ".join(f"{n} = {show(a)}" for n, a in zip(names, args, strict=True))
        got = call_with(student, function, names, args)
        expect_close(
            got,
            np.array(expected),
            f"{function}({', '.join(names)}) for {inputs}",
            function=function,
            inputs=inputs,
        )


def check_relu_examples(student: Student) -> None:
    """relu gives max(0, z) on hand-worked examples (1-D, 2-D, zeros, float32)"""
    _examples(
        student,
        "relu",
        [
            ((np.array([-3.0, 0.0, 2.5]),), [0.0, 0.0, 2.5]),
            ((Z,), [[0.0, 0.0, 3.0], [0.5, 0.0, 0.0]]),
            ((np.array([-1e4, 1e4], dtype=np.float32),), [0.0, 1e4]),
        ],
    )


def check_relu_backward_examples(student: Student) -> None:
    """relu_backward passes dout where z > 0 and blocks it where z <= 0"""
    _examples(
        student,
        "relu_backward",
        [
            ((np.array([5.0, 5.0, 5.0]), np.array([-1.0, 0.0, 1.0])), [0.0, 0.0, 5.0]),
            ((DOUT, Z), [[0.0, 0.0, 0.7], [-1.0, 0.0, 0.0]]),
        ],
    )


def check_softmax_examples(student: Student) -> None:
    """softmax matches exp(z) / sum(exp(z)) on small 1-D and 2-D examples"""
    _examples(
        student,
        "softmax",
        [
            ((np.array([1.0, 2.0, 3.0]),), [0.09003057, 0.24472847, 0.66524096]),
            ((np.array([[0.0, 0.0], [0.0, np.log(3.0)]]),), [[0.5, 0.5], [0.25, 0.75]]),
        ],
    )


def check_softmax_rows_sum_to_one(student: Student) -> None:
    """Each row of softmax(z) is a probability distribution: entries in [0, 1] summing to 1"""

    def rows_sum_to_one(z: np.ndarray) -> None:
        what = f"softmax(z) for z = {show(z)}"
        p = as_array(call_with(student, "softmax", ("z",), (z,)), "softmax(z)")
        if p.shape != z.shape:
            raise CheckFailed(
                f"{what} has shape {p.shape}; it should keep z's shape {z.shape}",
                function="softmax",
                counterexample=f"z = {show(z)}",
            )
        sums = p.astype(np.float64).sum(axis=-1, keepdims=True)
        bad = ~np.isclose(sums, 1.0, atol=1e-4)
        if bad.any() or (p < 0).any() or (p > 1 + 1e-6).any():
            row = int(np.argwhere(bad)[0][0]) if bad.any() and z.ndim == 2 else 0
            total = float(sums.reshape(-1)[row])
            hint = ""
            if z.ndim == 2 and np.allclose(p.sum(axis=0), 1.0, atol=1e-4):
                hint = "The columns sum to 1 instead: normalise along the last axis (axis=-1)."
            raise CheckFailed(
                f"rows of softmax(z) should sum to 1; row {row} sums to {total:.4g}",
                hint=hint or "Divide by the sum along the last axis, with keepdims=True.",
                function="softmax",
                counterexample=f"z = {show(z)}",
            )

    prove(rows_sum_to_one, MODERATE_LOGITS)


def check_softmax_large_inputs_finite(student: Student) -> None:
    """softmax stays finite for logits as large as 1e4 (no overflow)"""
    cases = [
        np.array([1000.0, 1001.0, 1002.0]),
        np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0]]),
        np.array([[800.0, 800.0], [-800.0, -800.0]], dtype=np.float32),
    ]
    for z in cases:
        p = as_array(call_with(student, "softmax", ("z",), (z,)), "softmax(z)")
        if p.dtype.kind not in "biuf" or not np.isfinite(p.astype(np.float64)).all():
            raise CheckFailed(
                f"softmax(z) for z = {show(z)} returned {show(p)}, which is not finite",
                hint="np.exp overflows for inputs above about 709: subtract the row max first.",
                function="softmax",
                counterexample=f"z = {show(z)}",
            )
