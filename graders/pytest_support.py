"""Run an assignment's public checks as pytest tests (used by a student kit's test file).

The submission is graded once per test module, in the same sandbox as `dlgrade check`, and
each question becomes a test that fails with the report's own messages and hints.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graders.render.inert import display_text
from graders.render.plain import failure_text
from graders.spec import Question, load_spec
from graders.verdict import QuestionResult, Report

SUBMISSION_VARIABLE = "DLGRADE_SUBMISSION"


def submission_in(folder: Path, entry: str) -> Path:
    """The file to grade: $DLGRADE_SUBMISSION, else `<entry>.py` or `<entry>.ipynb` in the kit
    by the rule `dlgrade check` follows (SubmissionError when both are there)."""
    chosen = os.environ.get(SUBMISSION_VARIABLE)
    if chosen:
        return Path(chosen)
    from graders.submission import find_entry

    # Only the named files: the kit's folder also holds its own test file.
    return find_entry(folder, entry, named_only=True)


def question_params(assignment: str) -> list[Any]:
    """One pytest parameter per question, with a readable id such as `q3-softmax`."""
    import pytest

    return [pytest.param(q.id, id=question_label(q)) for q in load_spec(assignment).questions]


def question_label(question: Question) -> str:
    """The id of a question's pytest test, such as `q3-softmax` (what `-k` selects)."""
    return f"{question.id}-{question.names[0]}" if question.names else question.id


def grade_public(assignment: str, folder: Path) -> Report:
    """Grade the submission in `folder` with the public checks.

    The isolation level is $DLGRADE_ISOLATION's (auto when unset); when it cannot be used,
    GraderFault says why, and every test of the module errors with that one line.
    """
    from graders.grading import grade, unloadable
    from graders.sandbox.isolation import Needs, choose, requested
    from graders.submission import SubmissionError, load_submission

    spec = load_spec(assignment)
    path = folder
    try:
        path = submission_in(folder, spec.entry)
        submission = load_submission(path, spec.entry)
    except SubmissionError as error:
        return unloadable(path, spec, error, mode="student")
    choice = choose(requested(), Needs.of(spec))
    return grade(submission, spec, mode="student", launcher=choice.launcher, notes=(choice.note,))


def question_failure(report: Report, question_id: str) -> str:
    """The feedback for a question's failed checks, or "" when they all passed."""
    failed = _question(report, question_id).failures
    if not failed:
        return ""
    graded = display_text(report.submission, multiline=False)
    if report.load_error:  # one reason for every question: its first line, not 12 tracebacks
        reason = display_text(report.load_error.partition("\n")[0])
        return f"{reason}\n(graded {graded}; `dlgrade check` shows where)"
    texts = [failure_text(check) for check in failed]
    texts.append(f"(graded {graded}; hidden checks also run when you submit)")
    return "\n\n".join(texts)


def question_pending(report: Report, question_id: str) -> bool:
    """True when the question's answer is judged only by hidden checks (format OK so far)."""
    return _question(report, question_id).pending


def _question(report: Report, question_id: str) -> QuestionResult:
    return next(q for q in report.questions if q.id == question_id)
