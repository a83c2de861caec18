"""MNIST tracks: the student's training runs in the sandbox; accuracy is scored in the parent.

Training here keeps to small budgets (a subset of the training images where the
full set is not needed); the full-size figures are in benchmarks/mnist_references.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.checks.core import Context
from graders.grading import grade
from graders.sandbox.job import Limits
from graders.spec import load_spec
from graders.submission import load_submission
from graders.verdict import Cause, Status
from tests.conftest import REFERENCE, ROOT, TEMPLATE

MNIST = ROOT.parent / "shared" / "data" / "mnist"
pytestmark = pytest.mark.skipif(not MNIST.is_dir(), reason="the shared MNIST files are absent")

SOFTMAX_REGRESSION = """
import numpy as np

def fit(X, y, report=None):
    rng = np.random.default_rng(0)
    W = np.zeros((784, 10), dtype=np.float32)
    b = np.zeros(10, dtype=np.float32)
    step = 0
    for epoch in range(2):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 256):
            rows = order[start:start + 256]
            z = X[rows] @ W + b
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            loss = -np.log(p[np.arange(len(rows)), y[rows]] + 1e-12).mean()
            p[np.arange(len(rows)), y[rows]] -= 1
            W -= 0.5 * X[rows].T @ p / len(rows)
            b -= 0.5 * p.mean(axis=0)
            step += 1
            if report is not None and step % 50 == 0:
                report(step, float(loss))
    return W, b

def predict(model, X):
    W, b = model
    return (X @ W + b).argmax(axis=1)
"""


def grade_track(path: Path, track: str, *, threshold: float | None = None, **context):
    spec = load_spec(track)
    context.setdefault("data_dir", str(MNIST))
    overrides = {"check_fit_predict_accuracy": {"threshold": threshold}} if threshold else {}
    limits = Limits(**{**spec.limits, "threads": 2})
    return grade(
        load_submission(path, spec.entry),
        spec,
        limits=limits,
        context=Context(**context),
        check_args=overrides,
    )


def write(tmp_path: Path, track: str, source: str) -> Path:
    path = tmp_path / f"{track}.py"
    path.write_text(source)
    return path


def accuracy_verdict(report):
    return report.questions[0].verdicts[0]


def test_numpy_reference_passes_on_a_small_budget():
    report = grade_track(REFERENCE / "mnist_mlp.py", "mnist_mlp", threshold=0.9, train_limit=6000)
    assert report.passed, [v.message for q in report.questions for v in q.verdicts]
    assert report.metrics["accuracy"] >= 0.9
    assert set(report.figures) == {"loss_curve", "confusion", "misclassified"}
    assert sum(map(sum, report.figures["confusion"]["matrix"])) == 10_000


def test_torch_reference_passes_on_a_small_budget():
    pytest.importorskip("torch")
    report = grade_track(
        REFERENCE / "mnist_torch.py", "mnist_torch", threshold=0.9, train_limit=6000
    )
    assert report.passed, [v.message for q in report.questions for v in q.verdicts]


@pytest.mark.parametrize("track", ["mnist_mlp", "mnist_torch", "mnist_cnn"])
def test_template_fails_with_a_clear_message(track):
    if track != "mnist_mlp":
        pytest.importorskip("torch")
    report = grade_track(TEMPLATE / f"{track}.py", track, train_limit=100)
    verdict = accuracy_verdict(report)
    assert not report.passed
    assert "fit is not written yet" in verdict.message


def test_weak_honest_model_fails_the_threshold_and_shows_its_accuracy(tmp_path):
    report = grade_track(write(tmp_path, "mnist_mlp", SOFTMAX_REGRESSION), "mnist_mlp")
    verdict = accuracy_verdict(report)
    assert verdict.status is Status.FAILED
    assert 0.88 < report.metrics["accuracy"] < 0.97
    assert report.metrics["threshold"] == 0.97
    assert f"{report.metrics['accuracy']:.2%}" in verdict.message
    assert "97.0%" in verdict.message


def test_model_that_predicts_one_class(tmp_path):
    source = "import numpy as np\ndef fit(X, y, report=None):\n    return 3\n"
    source += "def predict(model, X):\n    return np.full(len(X), model)\n"
    report = grade_track(write(tmp_path, "mnist_mlp", source), "mnist_mlp", train_limit=100)
    assert "every prediction is 3" in accuracy_verdict(report).message


def test_model_that_returns_the_wrong_shape(tmp_path):
    source = "import numpy as np\ndef fit(X, y, report=None):\n    return None\n"
    source += "def predict(model, X):\n    return np.zeros((len(X), 10))\n"
    report = grade_track(write(tmp_path, "mnist_mlp", source), "mnist_mlp", train_limit=100)
    verdict = accuracy_verdict(report)
    assert "scores of shape (10000, 10), not labels" in verdict.message
    assert "argmax" in verdict.hint


def test_training_over_budget_is_stopped_and_reported(tmp_path):
    source = "import time\ndef fit(X, y, report=None):\n"
    source += "    for step in range(10**6):\n        report(step, 1.0)\n        time.sleep(0.05)\n"
    source += "def predict(model, X):\n    return X.argmax(axis=1)\n"
    report = grade_track(
        write(tmp_path, "mnist_mlp", source), "mnist_mlp", train_limit=100, train_seconds=1.5
    )
    verdict = accuracy_verdict(report)
    assert (verdict.status, verdict.cause) == (Status.FAILED, Cause.TIMEOUT)
    assert "1.5 s" in verdict.message
    assert report.figures["loss_curve"]["steps"][:3] == [0, 1, 2]  # the curve up to the stop


def test_training_that_crashes_midway(tmp_path):
    source = "import os\ndef fit(X, y, report=None):\n"
    source += "    for step in range(5):\n        report(step, 2.0 - step * 0.1)\n    os._exit(3)\n"
    source += "def predict(model, X):\n    return X.argmax(axis=1)\n"
    report = grade_track(write(tmp_path, "mnist_mlp", source), "mnist_mlp", train_limit=100)
    verdict = accuracy_verdict(report)
    assert (verdict.status, verdict.cause) == (Status.FAILED, Cause.CRASHED)
    assert "exit code 3" in verdict.message
    assert report.figures["loss_curve"]["losses"] == pytest.approx([2.0, 1.9, 1.8, 1.7, 1.6])


def test_numpy_track_refuses_torch_imports(tmp_path):
    source = "import numpy as np\nimport torch\n" + SOFTMAX_REGRESSION
    report = grade_track(write(tmp_path, "mnist_mlp", source), "mnist_mlp", train_limit=100)
    assert report.score == 0
    assert "torch is not available when your work is graded" in report.load_error
