"""The moons track: the student's fit and predict run in the sandbox, the parent scores the
500 test points and draws the decision boundary from one more call of predict on a grid."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from graders.checks.core import Context
from graders.checks.training import GRID
from graders.grading import grade
from graders.render.html import render_html
from graders.render.plots import figure_pngs
from graders.spec import load_spec
from graders.specfile import read_raw
from graders.submission import load_submission
from graders.verdict import Report, Status

SPEC = load_spec("moons")
(ACCURACY,) = read_raw("moons")[0]["questions"][0]["checks"]
THRESHOLD = ACCURACY["args"]["threshold"]

# k nearest neighbours in NumPy: no torch to import, a curved boundary, about 93% here.
NEAREST_NEIGHBOURS = """
import numpy as np

K = 15


def fit(X, y, report=None):
    return X.astype(np.float64), y


def predict(model, X):
    X_train, y_train = model
    X = X.astype(np.float64)
    # squared distances |a|^2 - 2 a.b + |b|^2, (M, N) without an (M, N, 2) intermediate
    d = (X**2).sum(axis=1)[:, None] - 2 * X @ X_train.T + (X_train**2).sum(axis=1)[None, :]
    nearest = np.argpartition(d, K, axis=1)[:, :K]  # (M, K)
    return (y_train[nearest].mean(axis=1) > 0.5).astype(np.int64)
"""

# Logistic regression: an honest model whose straight boundary cannot follow the moons.
STRAIGHT_LINE = """
import numpy as np


def fit(X, y, report=None):
    w, b = np.zeros(2), 0.0
    for step in range(300):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w -= 0.5 * X.T @ (p - y) / len(y)
        b -= 0.5 * float(np.mean(p - y))
        if report is not None and step % 20 == 0:
            report(step, float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    return w, b


def predict(model, X):
    w, b = model
    return (X @ w + b > 0).astype(np.int64)
"""


def graded(path: Path) -> Report:
    return grade(load_submission(path, SPEC.entry), SPEC, context=Context())


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / f"{SPEC.entry}.py"
    path.write_text(source)
    return path


def verdict(report: Report):
    return report.questions[0].verdicts[0]


def test_reference_passes_and_draws_its_decision_boundary():
    pytest.importorskip("torch")
    report = graded(SPEC.reference_path)
    assert report.passed, verdict(report).message
    assert report.metrics["accuracy"] >= THRESHOLD + 0.01  # a margin, not a lucky pass
    boundary = report.figures["boundary"]
    assert len(boundary["labels"]) == len(boundary["labels"][0]) == boundary["resolution"] == GRID
    assert {label for row in boundary["labels"] for label in row} == {0, 1}
    assert len(boundary["points"]) == len(boundary["true"]) == len(boundary["predicted"]) == 500
    assert set(figure_pngs(report.figures)) == {"loss_curve", "confusion", "boundary"}
    page = render_html(report)
    assert "Decision boundary" in page
    assert page.count("data:image/png;base64,") == 3


def test_template_fails_with_a_clear_message():
    report = graded(SPEC.template_path)
    assert not report.passed
    assert "fit is not written yet" in verdict(report).message
    assert "boundary" not in report.figures


def test_a_numpy_model_passes_and_its_boundary_curves(tmp_path):
    report = graded(write(tmp_path, NEAREST_NEIGHBOURS))
    assert report.passed, verdict(report).message
    labels = report.figures["boundary"]["labels"]
    # a curved boundary: some row of the grid changes class more than once
    assert any(sum(a != b for a, b in pairwise(row)) > 1 for row in labels)


def test_a_straight_line_fails_below_the_threshold_and_still_shows_its_boundary(tmp_path):
    report = graded(write(tmp_path, STRAIGHT_LINE))
    failed = verdict(report)
    assert failed.status is Status.FAILED
    assert 0.8 < report.metrics["accuracy"] < THRESHOLD
    assert f"{report.metrics['accuracy']:.2%}" in failed.message
    assert f"{THRESHOLD:.1%}" in failed.message
    assert "boundary" in figure_pngs(report.figures)  # the picture shows why it failed


def test_a_predict_that_fails_on_the_grid_keeps_its_grade(tmp_path):
    only_the_test_set = "    if len(X) != 500:\n        raise ValueError('test points only')\n"
    source = NEAREST_NEIGHBOURS.replace("    X = X.astype", only_the_test_set + "    X = X.astype")
    report = graded(write(tmp_path, source))
    assert report.passed, verdict(report).message
    assert "boundary" not in report.figures
