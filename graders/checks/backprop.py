"""Public checks for backprop_delta1: a hand-worked example and the output shape."""

from __future__ import annotations

import numpy as np

from graders.checks.core import CheckFailed, Student, as_array, call_with, expect_close, show

NAMES = ("delta2", "W1", "W2", "z1")


def check_backprop_delta1_examples(student: Student) -> None:
    """backprop_delta1 gives (delta2 @ W2) * (z1 > 0) on a worked example"""
    delta2 = np.array([[1.0, -1.0]])  # (N=1, out=2)
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # (hidden=3, in=2)
    W2 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (out=2, hidden=3)
    z1 = np.array([[0.5, -1.0, 0.0]])  # (N=1, hidden=3): only unit 0 is active
    # delta2 @ W2 = [[-3, -3, -3]]; the mask (z1 > 0) = [[1, 0, 0]]
    args = (delta2, W1, W2, z1)
    inputs = "; ".join(f"{n} = {show(a)}" for n, a in zip(NAMES, args, strict=True))
    got = call_with(student, "backprop_delta1", NAMES, args)
    expect_close(
        got,
        np.array([[-3.0, 0.0, 0.0]]),
        "backprop_delta1(delta2, W1, W2, z1)",
        function="backprop_delta1",
        inputs=inputs,
    )


def check_backprop_delta1_shape(student: Student) -> None:
    """backprop_delta1 returns one delta per hidden unit: shape (N, hidden)"""
    n, n_in, hidden, out = 4, 5, 3, 2  # all different, so a wrong matmul cannot hide
    rng = np.random.default_rng(0)
    args = (
        rng.normal(size=(n, out)),
        rng.normal(size=(hidden, n_in)),
        rng.normal(size=(out, hidden)),
        rng.normal(size=(n, hidden)),
    )
    shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(NAMES, args, strict=True))
    got = as_array(call_with(student, "backprop_delta1", NAMES, args), "backprop_delta1")
    if got.shape != (n, hidden):
        raise CheckFailed(
            f"with {shapes}, backprop_delta1 returned shape {got.shape}; expected "
            f"(N, hidden) = {(n, hidden)}",
            function="backprop_delta1",
            counterexample=shapes,
        )
