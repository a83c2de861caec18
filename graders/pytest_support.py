"""Run an assignment's public checks as pytest tests (used by a student kit's test file).

The submission is graded once per test module, in the same sandbox as `dlgrade check`, and
each question becomes a test that fails with the report's own messages and hints.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graders.render.plain import failure_text
from graders.spec import load_spec

SUBMISSION_VARIABLE = "DLGRADE_SUBMISSION"


def submission_in(folder: Path, entry: str) -> Path:
    """The file to grade: $DLGRADE_SUBMISSION, else the newer of `<entry>.py` and `.ipynb`."""
    chosen = os.environ.get(SUBMISSION_VARIABLE)
    if chosen:
        return Path(chosen)
    candidates = [folder / f"{entry}{suffix}" for suffix in (".py", ".ipynb")]
    present = [path for path in candidates if path.is_file()]
    if not present:
        return candidates[0]  # grading it reports plainly that it is missing
    return max(present, key=lambda path: path.stat().st_mtime_ns)


def question_params(assignment: str) -> list[Any]:
    """One pytest parameter per question, with a readable id such as `q3-softmax`."""
    import pytest

    spec = load_spec(assignment)
    return [
        pytest.param(q.id, id=f"{q.id}-{q.names[0]}" if q.names else q.id) for q in spec.questions
    ]


def grade_public(assignment: str, folder: Path) -> dict[str, Any]:
    """Grade the submission in `folder` with the public checks; the report as a dict.

    The isolation level is $DLGRADE_ISOLATION's (auto when unset); when it cannot be used,
    GraderFault says why, and every test of the module errors with that one line.
    """
    from graders.grading import grade, unloadable
    from graders.sandbox.isolation import Needs, choose, requested
    from graders.submission import SubmissionError, load_submission

    spec = load_spec(assignment)
    path = submission_in(folder, spec.entry)
    try:
        submission = load_submission(path, spec.entry)
    except SubmissionError as error:
        return unloadable(path, spec, error, mode="student").to_dict()
    choice = choose(requested(), Needs.of(spec))
    report = grade(submission, spec, mode="student", launcher=choice.launcher, notes=(choice.note,))
    return report.to_dict()


def question_failure(report: dict[str, Any], question_id: str) -> str:
    """The feedback for a question's failed checks, or "" when they all passed."""
    question = next(q for q in report["questions"] if q["id"] == question_id)
    failed = [check for check in question["checks"] if check["status"] != "passed"]
    if not failed:
        return ""
    texts = [failure_text(check) for check in failed]
    texts.append(f"(graded {report['submission']}; hidden checks also run when you submit)")
    return "\n\n".join(texts)
