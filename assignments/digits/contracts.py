"""The digits mini-project's checks: each part of the NumPy MLP pipeline, then the whole
pipeline trained by the student's own code on scikit-learn's digits.

Weights are stored (out_features, in_features): z1 = X @ W1.T + b1, a1 = relu(z1),
z2 = a1 @ W2.T + b2, probs = softmax(z2) along axis 1.
"""

from __future__ import annotations

import numpy as np

from graders.checks import training
from graders.checks.core import Context, Student, as_array, as_number, show
from graders.contract import Fail, Mistake
from graders.data.digits import digits_split
from graders.sandbox.runner import Rng

SHAPES = {"W1": (32, 64), "b1": (32,), "W2": (10, 32), "b2": (10,)}

softmax_wrong_axis = Mistake(
    "softmax_wrong_axis",
    "softmax normalised along the wrong axis",
    "Rows are samples: take the max and the sum along axis=1 with keepdims=True.",
)
softmax_not_normalised = Mistake(
    "softmax_not_normalised",
    "softmax not normalised",
    "After exponentiating, divide each row by its sum so it adds up to 1.",
)
loss_sum_not_mean = Mistake(
    "loss_sum_not_mean",
    "the sum instead of the mean",
    "Average the per-sample losses: -np.mean(np.log(probs[np.arange(N), y])).",
)
loss_sign_dropped = Mistake(
    "loss_sign_dropped",
    "the minus sign dropped",
    "Cross-entropy is minus the mean log-probability: the loss is positive.",
)
grad_divided_by_classes = Mistake(
    "grad_divided_by_classes",
    "dividing by n_classes instead of the batch size",
    "dL/dz2 = (probs - one_hot(y)) / N, with N the number of rows of X.",
)
grad_not_divided = Mistake(
    "grad_not_divided",
    "a gradient not divided by the batch size",
    "The loss is a mean over the batch, so every gradient carries a 1/N.",
)
update_ascent = Mistake(
    "update_ascent",
    "it adds the gradient (that is gradient ascent)",
    "Gradient descent steps against the gradient: p - lr * g.",
)
N = 6  # rows in the part checks: not 10, so dividing by n_classes cannot pass for dividing by N


def params_of(reply: object, what: str) -> dict[str, np.ndarray]:
    """The student's parameter dict, checked for keys and shapes."""
    if not isinstance(reply, dict):
        raise Fail(f"{what} returned {type(reply).__name__}; expected a dict of arrays")
    for key, shape in SHAPES.items():
        if key not in reply:
            raise Fail(f"{what} has no {key!r}; expected keys {sorted(SHAPES)}")
        got = as_array(reply[key], f"{what}[{key!r}]")
        if got.shape != shape:
            raise Fail(
                f"{what}[{key!r}] has shape {got.shape}; expected {shape} (weights are stored "
                "(out_features, in_features), like torch.nn.Linear)"
            )
    return {key: np.asarray(reply[key], dtype=np.float64) for key in SHAPES}


def sample(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """N digits-like rows in [0, 1] and labels, the same for every submission."""
    rng = np.random.default_rng(seed)
    return rng.random((N, 64)), rng.integers(0, 10, size=N)


def check_init_params_shapes(student: Student) -> None:
    """init_params(64, 32, 10, rng) gives W1, b1, W2, b2 of the right shapes"""
    params = params_of(student.call("init_params", 64, 32, 10, Rng(0)), "init_params(64, 32, 10)")
    if not np.any(params["W1"]) or not np.any(params["W2"]):
        raise Fail(
            "init_params returned all-zero weights: every hidden unit would stay identical",
            hint="Draw weights at random, e.g. rng.normal(0, sqrt(2 / n_in), shape); "
            "biases may start at 0.",
        )


def check_forward_probabilities(student: Student) -> None:
    """forward returns probabilities: shape (N, 10), rows summing to 1"""
    params = student.call("init_params", 64, 32, 10, Rng(0))
    X, _ = sample()
    reply = student.call("forward", params, X)
    if not isinstance(reply, (list, tuple)) or len(reply) != 2:
        raise Fail("forward should return two things: (probs, cache)")
    probs = as_array(reply[0], "forward(params, X)[0]").astype(np.float64)
    if probs.shape != (N, 10):
        raise Fail(f"probs has shape {probs.shape} for X of shape {X.shape}; expected ({N}, 10)")
    rows = probs.sum(axis=1)
    if not np.allclose(rows, 1.0, atol=1e-6) or (probs < 0).any():
        columns_sum = np.allclose(probs.sum(axis=0), 1.0, atol=1e-6)
        raise Fail(
            f"rows of probs should sum to 1; they sum to {show(rows)}",
            mistake=(softmax_wrong_axis if columns_sum else softmax_not_normalised).id,
        )


def check_loss_value(student: Student) -> None:
    """loss(probs, y) is the mean cross-entropy -mean(log probs[i, y_i])"""
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]])
    y = np.array([0, 1, 2])
    expected = float(-np.mean(np.log([0.7, 0.8, 0.5])))
    got = as_number(student.call("loss", probs, y), "loss")
    if not np.isclose(got, expected, rtol=1e-6):
        mistakes = {3 * expected: loss_sum_not_mean.id, -expected: loss_sign_dropped.id}
        raise Fail(
            f"loss(probs, y) for probs = {show(probs)}, y = {show(y)} returned {got:.6g}; "
            f"expected {expected:.6g}",
            hint="Pick each row's probability of its true class: probs[np.arange(N), y].",
            mistake=next((m for value, m in mistakes.items() if np.isclose(got, value)), ""),
        )


def check_backward_matches_finite_differences(student: Student) -> None:
    """backward's gradients agree with finite differences of your own forward and loss"""
    params = params_of(student.call("init_params", 64, 32, 10, Rng(1)), "init_params")
    X, y = sample(1)
    _, cache = student.call("forward", params, X)
    grads = student.call("backward", params, cache, y)
    if not isinstance(grads, dict):
        raise Fail(f"backward returned {type(grads).__name__}; expected a dict like params")
    rng = np.random.default_rng(2)
    eps = 1e-5
    for key in SHAPES:
        got = as_array(grads.get(key), f"backward(...)[{key!r}]")
        if got.shape != params[key].shape:
            raise Fail(f"grads[{key!r}] has shape {got.shape}; expected {params[key].shape}")
        for flat in rng.choice(params[key].size, size=3, replace=False):
            index = np.unravel_index(flat, params[key].shape)
            losses = []
            for step in (eps, -eps):
                nudged = {k: v.copy() for k, v in params.items()}
                nudged[key][index] += step
                probs, _ = student.call("forward", nudged, X)
                losses.append(as_number(student.call("loss", probs, y), "loss"))
            numeric = (losses[0] - losses[1]) / (2 * eps)
            analytic = float(got[index])
            if abs(analytic - numeric) > 1e-4 * max(1.0, abs(numeric)):
                ratio = analytic / numeric if numeric else float("inf")
                why = {N / 10: grad_divided_by_classes.id, float(N): grad_not_divided.id}
                raise Fail(
                    f"grads[{key!r}]{list(map(int, index))} is {analytic:.6g} but finite "
                    f"differences of your loss give {numeric:.6g}",
                    hint="Backprop the mean loss: dL/dz2 = (probs - one_hot(y)) / N, then "
                    "dW2 = dz2.T @ a1, and through the ReLU mask (z1 > 0) to dW1 = dz1.T @ X.",
                    mistake=next(
                        (m for r, m in why.items() if np.isclose(ratio, r, rtol=1e-3)), ""
                    ),
                )


def check_update_step(student: Student) -> None:
    """update(params, grads, lr) returns params - lr * grads for every key"""
    rng = np.random.default_rng(3)
    params = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    grads = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    new = params_of(student.call("update", params, grads, 0.1), "update(params, grads, 0.1)")
    for key in SHAPES:
        if not np.allclose(new[key], params[key] - 0.1 * grads[key]):
            plus = np.allclose(new[key], params[key] + 0.1 * grads[key])
            raise Fail(
                f"update gave the wrong {key!r}",
                hint="Gradient descent steps against the gradient: p - lr * g.",
                mistake=update_ascent.id if plus else "",
            )


def mean_loss(student: Student, params: object, X: np.ndarray, y: np.ndarray) -> float:
    """The loss of `params` on (X, y), computed with the student's own forward and loss."""
    probs, _ = student.call("forward", params, X)
    return as_number(student.call("loss", probs, y), "loss")


def check_train_loss_falls(student: Student, spec: object, context: Context) -> None:
    """train lowers the training loss (small track), measured with your forward and loss"""
    split = digits_split(first=100)
    seconds = training.budget(spec.training, context)
    trained = training.train(student, context, "train", (split.X_train, split.y_train), seconds)
    # The grader measures the loss itself: what train reports only draws the loss curve.
    fresh = student.call("init_params", 64, 32, 10, Rng(0))
    start = mean_loss(student, fresh, split.X_train, split.y_train)
    end = mean_loss(student, params_of(trained, "train(X, y)"), split.X_train, split.y_train)
    if not np.isfinite(end) or not end < start:
        raise Fail(
            f"the training loss went from {start:.4g} (freshly initialised) to {end:.4g} "
            "after train; it should fall",
            hint="If it grows or turns nan, lower the learning rate; if it is flat, raise it.",
        )


def check_accuracy(
    student: Student, spec: object, context: Context, threshold: float, first: int | None = None
) -> None:
    """train and predict reach at least {threshold:.0%} accuracy on held-out digits"""
    split = digits_split(first=first)
    X_train, y_train = split.X_train, split.y_train
    if context.train_limit:
        X_train, y_train = X_train[: context.train_limit], y_train[: context.train_limit]
    seconds = training.budget(spec.training, context)
    params = training.train(student, context, "train", (X_train, y_train), seconds)
    reply = student.call("predict", params, split.X_test, timeout=seconds)
    y_pred = training.labels(reply, len(split.y_test), "predict(params, X_test)")
    training.score(split.y_test, y_pred, threshold, context, images=split.X_test)
