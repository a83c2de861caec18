"""The digits project: each part checked, the whole pipeline trained in the sandbox."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graders.grading import grade
from graders.spec import load_spec
from graders.submission import load_submission
from graders.verdict import Status
from tests.conftest import REFERENCE, TEMPLATE

pytest.importorskip("sklearn")
SPEC = load_spec("digits")


def grade_digits(path: Path):
    return grade(load_submission(path, SPEC.entry), SPEC)


def with_bug(tmp_path: Path, code: str) -> Path:
    """The reference pipeline with one function replaced, as a student's digits.py."""
    path = tmp_path / "digits.py"
    path.write_text((REFERENCE / "pipelines.py").read_text() + "\n\n" + textwrap.dedent(code))
    return path


def question(report, qid: str):
    return next(q for q in report.questions if q.id == qid)


def test_reference_passes_every_part():
    report = grade_digits(REFERENCE / "pipelines.py")
    assert report.passed
    assert report.score == report.max_score == SPEC.max_score
    assert report.metrics["accuracy"] >= 0.93
    assert {"loss_curve", "confusion", "misclassified"} <= set(report.figures)


def test_template_fails_and_names_the_stub():
    report = grade_digits(TEMPLATE / "digits.py")
    assert not report.passed
    assert report.score == 0
    message = question(report, "train").first_failure.message
    assert "init_params is not written yet (called from train)" in message


BUGS = [
    (
        "forward",
        "softmax not normalised",
        """
        def forward(params, X):
            z1 = X @ params["W1"].T + params["b1"]
            a1 = np.maximum(z1, 0)
            z2 = a1 @ params["W2"].T + params["b2"]
            probs = np.exp(z2 - z2.max(axis=1, keepdims=True))
            return probs, {"X": X, "z1": z1, "a1": a1, "probs": probs}
        """,
    ),
    (
        "forward",
        "softmax normalised along the wrong axis",
        """
        def forward(params, X):
            z1 = X @ params["W1"].T + params["b1"]
            a1 = np.maximum(z1, 0)
            z2 = a1 @ params["W2"].T + params["b2"]
            e = np.exp(z2 - z2.max(axis=0, keepdims=True))
            probs = e / e.sum(axis=0, keepdims=True)
            return probs, {"X": X, "z1": z1, "a1": a1, "probs": probs}
        """,
    ),
    (
        "loss",
        "the sum instead of the mean",
        """
        def loss(probs, y):
            return float(-np.sum(np.log(probs[np.arange(len(y)), y])))
        """,
    ),
    (
        "backward",
        "dividing by n_classes instead of the batch size",
        """
        _right_backward = backward

        def backward(params, cache, y):
            n = len(y)
            return {k: g * n / 10 for k, g in _right_backward(params, cache, y).items()}
        """,
    ),
    (
        "update",
        "gradient ascent",
        """
        def update(params, grads, lr):
            return {k: params[k] + lr * grads[k] for k in params}
        """,
    ),
    (
        "train",
        "it should fall",
        """
        def train(X, y, report=None):  # reports a falling loss, learns nothing
            for step in range(10):
                if report is not None:
                    report(step, 10.0 - step)
            return init_params(64, 32, 10, np.random.default_rng(0))
        """,
    ),
    (
        "full",
        "scores of shape",
        """
        def predict(params, X):
            return forward(params, X)[0]
        """,
    ),
]


@pytest.mark.parametrize(("part", "said", "code"), BUGS, ids=[f"{b[0]}: {b[1]}" for b in BUGS])
def test_known_mistake_fails_its_part_and_says_why(tmp_path, part, said, code):
    report = grade_digits(with_bug(tmp_path, code))
    failure = question(report, part).first_failure
    assert failure is not None, f"{part} passed"
    assert failure.status is Status.FAILED
    assert said in f"{failure.message} {failure.misconception_name}"
    assert not report.passed


@pytest.mark.parametrize(
    "line",
    [
        "import sklearn",
        "import torch",
        "import importlib\nlabels = importlib.import_module('skl' + 'earn.datasets')",
    ],
    ids=["sklearn", "torch", "computed name"],
)
def test_the_numpy_only_rule_is_what_the_child_can_import(tmp_path, line):
    report = grade_digits(with_bug(tmp_path, line))
    assert report.score == 0
    assert report.graded  # the student's doing: a grade of 0, not a fault of ours
    assert "not available when your work is graded" in report.load_error


def test_bundled_digits_labels_cannot_be_looked_up(tmp_path):
    """The lookup attack: predict by finding each test image in scikit-learn's bundled digits."""
    cheat = """
        def predict(params, X):
            import importlib
            datasets = importlib.import_module("sklearn" + ".datasets")
            bundled = datasets.load_digits()
            table = {tuple(np.round(row / 16.0, 6)): label
                     for row, label in zip(bundled.data, bundled.target)}
            return np.array([table[tuple(np.round(row, 6))] for row in X])
        """
    report = grade_digits(with_bug(tmp_path, cheat))
    assert question(report, "full").points == 0
    message = question(report, "full").first_failure.message
    assert "sklearn" in message
