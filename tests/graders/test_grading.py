"""Whole-submission grading: reference, template, broken and cheating submissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.verdict import Cause, Status
from tests.conftest import (
    FULL,
    ONE_WRONG,
    QUESTIONS,
    SELFCHECK,
    TEMPLATE,
    failed_questions,
    grade_path,
    question,
)

FAST = {"call_seconds": 0.5, "load_seconds": 2.0}


def all_statuses(report) -> set[Status]:
    return {v.status for q in report.questions for v in q.verdicts}


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "selfcheck.py"
    path.write_text(source)
    return path


def test_reference_scores_12_and_passes(make_submission):
    report = grade_path(make_submission())
    assert (report.score, report.max_score, report.passed) == (FULL, FULL, True)
    assert report.isolation == "process"
    assert "Q7_EXPLANATION" in report.explanations


def test_template_scores_0_and_fails():
    report = grade_path(TEMPLATE / "selfcheck.py")
    assert report.score == 0
    assert not report.passed
    assert len(failed_questions(report)) == QUESTIONS


def test_student_mode_runs_only_public_checks(make_submission):
    report = grade_path(make_submission(), mode="student")
    visibilities = {v.visibility for q in report.questions for v in q.verdicts}
    assert visibilities == {"public"}
    # The letter and number answers are judged by hidden checks only: in student mode they
    # are "format OK, graded at submission", never passed.
    answers = {q.id for q in SELFCHECK.questions if any(n.endswith("_ANSWER") for n in q.names)}
    assert {q.id for q in report.questions if q.pending} == answers
    assert report.score + report.pending_points == FULL
    assert report.pending_points == len(answers)


def test_student_mode_never_passes_a_wrong_letter(make_submission):
    report = grade_path(make_submission('Q7_ANSWER = "A"'), mode="student")
    assert question(report, "q7").pending
    assert not question(report, "q7").passed


def test_same_submission_same_result(make_submission):
    folder = make_submission("def softmax(z):\n    return np.exp(z) / np.exp(z).sum()")

    def stable(report):
        data = report.to_dict()
        data.pop("seconds")
        for q in data["questions"]:
            for c in q["checks"]:
                c.pop("seconds")
        return data

    assert stable(grade_path(folder)) == stable(grade_path(folder))


def test_exception_at_import_fails_every_question(tmp_path):
    report = grade_path(write(tmp_path, "import numpy as np\nraise ValueError('oops at import')\n"))
    assert report.score == 0
    assert report.graded  # the student's fault: a grade of 0, not an error of ours
    first = question(report, "q2").verdicts[0]
    assert (first.status, first.cause) == (Status.FAILED, Cause.NOT_LOADED)
    # The reason is said once, at the top, not under every question.
    assert "ValueError" in report.load_error
    assert "oops at import" in report.load_error
    assert 'File "selfcheck.py", line 2' in report.load_error
    assert "oops at import" not in first.message


def test_infinite_loop_in_one_function_fails_only_its_question(make_submission):
    folder = make_submission("def softmax(z):\n    while True:\n        pass\n")
    report = grade_path(folder, **FAST)
    assert failed_questions(report) == ["q3"]
    assert Cause.TIMEOUT in {v.cause for v in question(report, "q3").verdicts}
    assert report.score == ONE_WRONG


def test_infinite_loop_at_import_is_reported(tmp_path):
    report = grade_path(write(tmp_path, "while True:\n    pass\n"), **FAST)
    assert report.score == 0
    assert "did not finish within 2 s" in report.load_error
    assert "top level" in report.load_error


@pytest.mark.parametrize(
    "source",
    ["import sys\nsys.exit(0)\n", "import os\nos._exit(0)\n", "raise SystemExit(3)\n", "quit()\n"],
    ids=["sys.exit", "os._exit", "SystemExit", "quit"],
)
def test_exit_at_import_gives_a_complete_report(tmp_path, source):
    report = grade_path(write(tmp_path, source), **FAST)
    assert report.score == 0
    assert len(report.questions) == QUESTIONS
    assert all(q.verdicts for q in report.questions)
    assert all_statuses(report) == {Status.FAILED}
    assert report.graded
    assert report.load_error


def test_os_exit_inside_a_function_costs_only_that_question(make_submission):
    folder = make_submission("def one_hot(y, n_classes):\n    import os\n    os._exit(0)\n")
    report = grade_path(folder, **FAST)
    assert failed_questions(report) == ["q9"]
    assert "ended the Python process" in question(report, "q9").first_failure.message


def test_monkeypatching_numpy_in_the_child_gains_nothing(tmp_path):
    cheat = (TEMPLATE / "selfcheck.py").read_text() + (
        "\nnp.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.isclose = lambda *a, **k: True\n"
        "import builtins\nbuiltins.isinstance = lambda *a: True\n"
    )
    report = grade_path(write(tmp_path, cheat))
    assert report.score == 0


def test_monkeypatching_does_not_cost_honest_points(make_submission):
    report = grade_path(make_submission("np.allclose = lambda *a, **k: False\n"))
    assert report.score == FULL


def test_printing_a_fake_result_gains_nothing(tmp_path):
    cheat = (TEMPLATE / "selfcheck.py").read_text() + (
        '\nprint("12/12 PASS")\nprint(\'{"score": 12, "max_score": 12, "passed": true}\')\n'
    )
    report = grade_path(write(tmp_path, cheat))
    assert report.score == 0
    assert not report.passed
    assert "12/12 PASS" in report.output  # shown as output, never scored


def test_stub_message_says_not_written_yet():
    report = grade_path(TEMPLATE / "selfcheck.py")
    assert "not written yet" in question(report, "q2").first_failure.message
