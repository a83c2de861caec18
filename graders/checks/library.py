"""Checks dlgrade provides to every assignment, named in a spec's `checks` list.

Projects name them: `checks = [{ name = "check_fit_predict_accuracy", args = { threshold =
0.97 } }]`, with the data set chosen by the spec's `[training] data`.
"""

from __future__ import annotations

from collections.abc import Callable

from graders.checks import training
from graders.checks.core import Context, Student
from graders.data import DatasetError, load_dataset
from graders.sandbox.errors import GraderFault


def check_fit_predict_accuracy(
    student: Student, spec: object, context: Context, threshold: float
) -> None:
    """fit and predict reach at least {threshold:.1%} accuracy on the test set"""
    try:
        data = load_dataset(spec.training["data"], context.data_dir, context.train_limit)
    except DatasetError as error:
        raise GraderFault("data", f"{error}") from None  # the grader's data, not the student's
    # Large arrays go through a read-only file the child memory-maps, not the pipe; the
    # test labels never leave this process.
    train_files = (
        student.put_array("X_train", data.X_train),
        student.put_array("y_train", data.y_train),
    )
    test_file = student.put_array("X_test", data.X_test)
    seconds = training.budget(spec.training, context)
    model = training.train(student, context, "fit", train_files, seconds)
    reply = student.call("predict", model, test_file, timeout=seconds)
    context.metrics["peak_memory_mb"] = student.peak_memory_mb()
    y_pred = training.labels(reply, len(data.X_test), "predict(model, X_test)", data.n_classes)
    images = data.X_test if data.image_side else None
    try:
        training.score(data.y_test, y_pred, threshold, context, images=images)
    finally:  # below the threshold too: the picture shows what the model learned
        if data.X_test.shape[1] == 2:
            training.boundary(student, model, data, y_pred, context, seconds)


CHECKS: dict[str, Callable[..., None]] = {
    check.__name__: check for check in (check_fit_predict_accuracy,)
}
