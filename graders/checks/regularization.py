"""Public checks for dropout and l2_grad."""

from __future__ import annotations

import numpy as np

from graders.checks.core import CheckFailed, Student, as_array, call_with, expect_close, show
from graders.sandbox.runner import Rng

DROPOUT_NAMES = ("x", "p", "training", "rng")


def dropout_call(
    student: Student, x: np.ndarray, p: float, training: bool, seed: int
) -> np.ndarray:
    """Call the student's dropout with a fresh numpy Generator seeded with `seed`."""
    reply = call_with(student, "dropout", DROPOUT_NAMES, (x, p, training, Rng(seed)))
    got = as_array(reply, "dropout")
    if got.shape != x.shape:
        raise CheckFailed(
            f"dropout(x, p={p}, training={training}, rng) returned shape {got.shape}; it "
            f"should keep x's shape {x.shape}",
            function="dropout",
        )
    return got.astype(np.float64)


def check_dropout_identity_when_not_training(student: Student) -> None:
    """With training=False, dropout returns x unchanged"""
    x = np.random.default_rng(3).normal(size=(4, 6))
    for p in (0.5, 0.2):
        got = dropout_call(student, x, p, False, seed=0)
        if not np.allclose(got, x):
            changed = int((~np.isclose(got, x)).sum())
            raise CheckFailed(
                f"dropout(x, p={p}, training=False, rng) changed {changed} of {x.size} "
                "entries; at evaluation time it must return x as it is",
                misconception="dropout_ignores_training",
                counterexample=f"x = {show(x)}; p = {p}; training = False",
            )


def check_dropout_kept_entries_scaled(student: Student) -> None:
    """In training, each entry is either dropped (0) or kept and scaled by 1/(1-p)"""
    p = 0.25
    x = np.ones((40, 50))
    got = dropout_call(student, x, p, True, seed=1)
    kept = got[got != 0]
    if kept.size == 0:
        raise CheckFailed(
            f"dropout(ones, p={p}, training=True, rng) dropped every entry",
            hint="Keep an entry with probability 1 - p: mask = rng.random(x.shape) >= p.",
        )
    values = np.unique(np.round(kept, 6))
    mistakes = {
        1.0: "dropout_no_scaling",
        1 - p: "dropout_scales_by_keep",
        1 / p: "dropout_p_is_keep",  # kept with probability p, scaled by 1/p
    }
    if not np.allclose(kept, 1 / (1 - p)):
        mistake = next((m for v, m in mistakes.items() if np.allclose(kept, v)), "")
        raise CheckFailed(
            f"dropout(ones, p={p}, training=True, rng) kept entries with values "
            f"{show(values[:5])}; each kept entry should be 1/(1-p) = {1 / (1 - p):.4g}",
            misconception=mistake,
            counterexample=f"x = np.ones((40, 50)); p = {p}; training = True",
        )


def check_l2_grad_examples(student: Student) -> None:
    """l2_grad returns grad + lam * w"""
    grad = np.array([[0.5, -1.0], [2.0, 0.0]])
    w = np.array([[1.0, 2.0], [-3.0, 4.0]])
    inputs = f"grad = {show(grad)}; w = {show(w)}; lam = 0.1"
    got = call_with(student, "l2_grad", ("grad", "w", "lam"), (grad, w, 0.1))
    expect_close(
        got,
        np.array([[0.6, -0.8], [1.7, 0.4]]),
        "l2_grad(grad, w, 0.1)",
        function="l2_grad",
        inputs=inputs,
    )
