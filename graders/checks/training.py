"""What the project checks share: train the student's model in the sandbox under a
budget, read back predicted labels, and score them in the parent.

The evaluation labels never leave the parent: the child gets the test images only,
and the accuracy, confusion matrix and misclassified examples are computed here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from graders.checks.core import Context, Student, as_array
from graders.contract import Fail
from graders.sandbox.errors import BadReply, CallTimeout, ChildDied, StudentError
from graders.sandbox.job import Reporter

if TYPE_CHECKING:
    from graders.data import Dataset

MISCLASSIFIED_SHOWN = 24
GRID = 100  # points per side of the grid a 2-D model's decision boundary is drawn from
MARGIN = 0.5  # how far the grid reaches beyond the test points, in the data's units


def budget(spec_training: dict[str, Any], context: Context) -> float:
    """CPU seconds (per allowed thread) the student's training may use: the context's
    override, else the spec's."""
    return float(context.train_seconds or spec_training.get("seconds", 120.0))


def train(student: Student, context: Context, function: str, args: tuple, seconds: float) -> Any:
    """Run the student's training function with a report callback; keep its loss curve
    (also when training is stopped or crashes: the curve shows how far it got). The budget
    counts only the time the child could have used (graders.sandbox.clock), so a busy
    machine does not eat into it."""
    first = len(context.progress)
    try:
        return student.call(function, *args, Reporter(), timeout=seconds, training_budget=True)
    finally:
        # CPU seconds per thread the training used (`cpu_seconds` is the sandbox's record).
        spent = getattr(student, "cpu_seconds", {}).get(function)
        if spent is not None:
            context.metrics["training_cpu_seconds"] = round(spent, 2)
        steps = context.progress[first:]
        if steps:
            context.figures["loss_curve"] = {
                "steps": [s for s, _ in steps],
                "losses": [loss for _, loss in steps],
            }


def labels(reply: Any, n: int, what: str, n_classes: int = 10) -> np.ndarray:
    """The reply as (n,) integer labels in 0..n_classes-1, or a Fail saying why not."""
    got = as_array(reply, what)
    if got.shape == (n, n_classes):
        raise Fail(
            f"{what} returned scores of shape {got.shape}, not labels",
            hint="Return one label per row: scores.argmax(axis=1).",
        )
    if got.shape != (n,):
        raise Fail(f"{what} returned shape {got.shape}; expected ({n},), one label per image")
    if got.dtype.kind == "f" and not np.all(np.equal(np.mod(got, 1), 0)):
        raise Fail(f"{what} returned fractional values; expected integer labels")
    got = got.astype(np.int64)
    if got.min() < 0 or got.max() >= n_classes:
        raise Fail(f"{what} returned labels outside 0..{n_classes - 1}")
    return got


def score(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    threshold: float,
    context: Context,
    images: np.ndarray | None = None,
) -> float:
    """Accuracy against the threshold; records the metrics and the pictures' data."""
    accuracy = float(np.mean(y_pred == y_true))
    context.metrics.update(accuracy=accuracy, threshold=threshold)
    n_classes = int(max(y_true.max(), y_pred.max())) + 1
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)  # rows true, columns predicted
    np.add.at(confusion, (y_true, y_pred), 1)
    context.figures["confusion"] = {
        "labels": list(range(n_classes)),
        "matrix": confusion.tolist(),
    }
    if images is not None:
        side = math.isqrt(images.shape[1])  # 64 -> 8, 784 -> 28
        wrong = np.flatnonzero(y_pred != y_true)[:MISCLASSIFIED_SHOWN]
        context.figures["misclassified"] = [
            {
                "image": np.round(images[i].reshape(side, side), 3).tolist(),
                "predicted": int(y_pred[i]),
                "true": int(y_true[i]),
            }
            for i in wrong
        ]
    if accuracy >= threshold:
        return accuracy
    counts = np.bincount(y_pred, minlength=n_classes)
    message = f"test accuracy {accuracy:.2%} is below the threshold of {threshold:.1%}"
    hint = "Train longer, tune the learning rate, or widen the hidden layer; watch the loss curve."
    if counts.max() == len(y_pred):
        message += f": every prediction is {int(counts.argmax())}"
        hint = (
            "A model that predicts one class has not learned: check the gradient signs, the "
            "learning rate, and that labels and images stay paired when you shuffle."
        )
    raise Fail(message, hint=hint)


def boundary(
    student: Student,
    model: Any,
    data: Dataset,
    y_pred: np.ndarray,
    context: Context,
    seconds: float,
) -> None:
    """Ask the student's predict for a grid over the test points (2-D data only) and keep
    what the decision boundary picture needs. The picture is an extra: a predict that
    fails on the grid leaves it out and changes no verdict."""
    points = data.X_test  # (M, 2)
    low, high = points.min(axis=0) - MARGIN, points.max(axis=0) + MARGIN  # (2,), (2,)
    xs, ys = (np.linspace(low[i], high[i], GRID) for i in range(2))
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(points.dtype)  # (G*G, 2)
    try:
        reply = student.call("predict", model, student.put_array("X_grid", grid), timeout=seconds)
        predicted = labels(reply, len(grid), "predict(model, grid)", data.n_classes)
    except (Fail, StudentError, CallTimeout, ChildDied, BadReply):
        return
    context.figures["boundary"] = {
        "x_range": [float(low[0]), float(high[0])],
        "y_range": [float(low[1]), float(high[1])],
        "resolution": GRID,
        "labels": predicted.reshape(GRID, GRID).tolist(),  # [j][i]: at x = xs[i], y = ys[j]
        "points": np.round(points.astype(np.float64), 4).tolist(),
        "true": data.y_test.tolist(),
        "predicted": y_pred.tolist(),
    }
