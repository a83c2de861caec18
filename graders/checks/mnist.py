"""Public checks for the MNIST tracks: the student's own training runs in the sandbox on
the 60,000 training images under a wall-clock budget; the child then sees the 10,000
test images (never their labels) and the accuracy is computed here.

Every track's module provides:
    fit(X, y, report) -> model      # X (N, 784) float32 in [0, 1], y (N,) int64 labels
    predict(model, X) -> labels     # (N,) ints in 0..9
"""

from __future__ import annotations

import numpy as np

from graders.checks import training
from graders.checks.core import CheckFailed, Context, Student
from graders.data.mnist import DataError, as_float_features, load_mnist
from graders.spec import Spec


def check_fit_predict_accuracy(
    student: Student, spec: Spec, context: Context, threshold: float
) -> None:
    """fit and predict reach at least {threshold:.1%} accuracy on the MNIST test set"""
    try:
        data = load_mnist(context.data_dir)
    except DataError as error:
        raise CheckFailed(f"the MNIST files could not be read: {error}") from None
    X_train = as_float_features(data.train_images)  # (60000, 784) float32 in [0, 1]
    y_train = data.train_labels.astype(np.int64)  # (60000,)
    if context.train_limit:
        X_train, y_train = X_train[: context.train_limit], y_train[: context.train_limit]
    X_test = as_float_features(data.test_images)  # (10000, 784); its labels stay here
    # Large arrays go through a read-only file the child memory-maps, not the pipe.
    train_files = (student.put_array("X_train", X_train), student.put_array("y_train", y_train))
    test_file = student.put_array("X_test", X_test)
    seconds = training.budget(spec.training, context)
    model = training.train(student, context, "fit", train_files, seconds)
    reply = student.call("predict", model, test_file, timeout=seconds)
    y_pred = training.labels(reply, len(X_test), "predict(model, X_test)")
    training.score(data.test_labels.astype(np.int64), y_pred, threshold, context, images=X_test)


def check_numpy_only(student: Student, context: Context) -> None:
    """the submission uses NumPy only (no torch, scikit-learn, tensorflow or jax)"""
    training.require_numpy_only(context)
