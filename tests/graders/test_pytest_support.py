"""The kit's pytest messages: the report's own feedback, through the one failure formatter."""

from __future__ import annotations

from pathlib import Path

from graders.pytest_support import question_failure, question_pending
from graders.render.plain import failure_text
from tests.conftest import grade_path, reference_folder


def test_a_failed_question_shows_its_failures_as_every_renderer_does(tmp_path: Path) -> None:
    wrong = "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=-1, keepdims=True)\n"
    report = grade_path(reference_folder(tmp_path, wrong), mode="student")
    q3 = next(q for q in report.questions if q.id == "q3")
    text = question_failure(report, "q3")
    assert text.startswith(failure_text(q3.failures[0]))
    assert "Hint: np.exp overflows" in text
    assert text.endswith("hidden checks also run when you submit)")
    assert question_failure(report, "q2") == ""
    assert not question_pending(report, "q2")


def test_a_submission_that_did_not_load_says_why_in_every_test(tmp_path: Path) -> None:
    report = grade_path(reference_folder(tmp_path, "x = undefined_name + 1"), mode="student")
    text = question_failure(report, "q3")
    assert text.startswith("your submission raised NameError while loading: name 'undefined_")
    assert "Likely cause" in text
    assert "the reason is at the top" not in text  # a pytest failure has no top
    assert "Traceback" not in text
    assert text.count("\n") == 1
