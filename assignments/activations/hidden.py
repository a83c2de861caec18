"""The activations assignment's hidden properties: they run when work is graded, never in a
student kit."""

from __future__ import annotations

import numpy as np

from graders.checks.core import as_array, show
from graders.contract import Fail, Property
from graders.inputs import arrays

from .contracts import (
    BETA,
    GAMMA,
    RUNNING_MEAN,
    RUNNING_VAR,
    X,
    batchnorm_forward,
    sigmoid,
    softmax_cross_entropy,
    tanh,
)


def mirrored(z: np.ndarray) -> tuple[np.ndarray]:
    """z next to -z along the last axis: one call sees both."""
    return (np.concatenate([z, -z], axis=-1),)


def halves(out: object, z: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The reply's values at z and at -z."""
    got = as_array(out, f"{what}(z)").astype(np.float64)
    if got.shape != z.shape:
        raise Fail(f"{what}(z) has shape {got.shape}; it should keep z's shape {z.shape}")
    half = z.shape[-1] // 2
    return got[..., :half], got[..., half:]


def sigmoid_symmetric(out: object, z: np.ndarray) -> None:
    """sigmoid(-z) = 1 - sigmoid(z)"""
    at_z, at_minus_z = halves(out, z, "sigmoid")
    if not np.allclose(at_z + at_minus_z, 1.0, atol=1e-6):
        raise Fail(f"for z = {show(z[..., : z.shape[-1] // 2])}, sigmoid(z) + sigmoid(-z) came "
                   f"out as {show(at_z + at_minus_z)}; it is 1 for every z")  # fmt: skip


def tanh_odd(out: object, z: np.ndarray) -> None:
    """tanh(-z) = -tanh(z)"""
    at_z, at_minus_z = halves(out, z, "tanh")
    if not np.allclose(at_z, -at_minus_z, atol=1e-6):
        raise Fail(f"for z = {show(z[..., : z.shape[-1] // 2])}, tanh(-z) is not -tanh(z)")


sigmoid_symmetry = Property(
    sigmoid,
    sigmoid_symmetric,
    inputs=arrays().map(mirrored),
    visibility="hidden",
    called="symmetric",
)
tanh_symmetry = Property(
    tanh, tanh_odd, inputs=arrays().map(mirrored), visibility="hidden", called="odd"
)

LOGITS = np.array([[1.0, 2.0, -0.5], [0.0, 4.0, 1.0]])  # (2, 3)
LABELS = np.array([2, 0])


def shift_invariant(losses: list[object], cases: tuple[tuple[np.ndarray, np.ndarray], ...]) -> None:
    """adding the same number to every logit of a row leaves the loss unchanged"""
    values = [float(np.asarray(loss, dtype=np.float64).reshape(-1)[0]) for loss in losses]
    if np.allclose(values, values[0], rtol=1e-6):
        return
    shifts = ", ".join(f"{float(c[0][0, 0] - LOGITS[0, 0]):+g}" for c in cases)
    raise Fail(
        f"the same logits shifted by {shifts} gave the losses {show(np.array(values))}; "
        "softmax, and so the loss, ignores a constant added to a row",
        mistake="cross_entropy_no_max_shift" if not np.all(np.isfinite(values)) else "",
    )


cross_entropy_shift = Property(
    softmax_cross_entropy,
    shift_invariant,
    cases=tuple((LOGITS + shift, LABELS) for shift in (0.0, 1000.0, -1000.0)),
    joint=True,
    visibility="hidden",
)


def ignores_running_stats_in_training(outs: list[object], cases: tuple[tuple, ...]) -> None:
    """in training, the running statistics do not change the output"""
    first, second = (as_array(o, "batchnorm_forward").astype(np.float64) for o in outs)
    if first.shape == second.shape and np.allclose(first, second, atol=1e-6):
        return
    raise Fail(
        "with training=True, two calls that differ only in running_mean and running_var gave "
        "different outputs; in training the batch's own statistics are used",
        hint="Use x.mean(axis=0) and x.var(axis=0) when training is True.",
    )


batchnorm_training_stats = Property(
    batchnorm_forward,
    ignores_running_stats_in_training,
    cases=(
        (X, GAMMA, BETA, RUNNING_MEAN, RUNNING_VAR, True, 1e-5),
        (X, GAMMA, BETA, -2 * RUNNING_MEAN, 3 * RUNNING_VAR, True, 1e-5),
    ),
    joint=True,
    visibility="hidden",
    called="training_uses_batch_stats",
)
