"""Gradebook exports: a class CSV, a Canvas import CSV and Gradescope results.json.

Everything here is a pure function of entries and their Reports (`Entry.result`), except
`write_gradescope`, which writes the Gradescope files. Formats:

- Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/
- Canvas: the gradebook importer (canvas-lms app/models/gradebook_importer.rb) and
  https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807
- JUnit XML (`dlgrade export --format junit`) is graders/render/junit.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graders.batch.entry import GRADED, INVALID, Entry
from graders.render.inert import csv_cell, display_text
from graders.render.plain import failure_text, number
from graders.spec import Spec
from graders.verdict import QuestionResult, Report

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Canvas drops any column whose header contains one of these (gradebook_importer.rb).
CANVAS_RESERVED_HEADERS = (
    "Current Score",
    "Current Points",
    "Current Grade",
    "Final Score",
    "Final Points",
    "Final Grade",
    "Override Score",
    "Override Grade",
    "Override Status",
)
HIDDEN_FAILURE = "a hidden check failed"
UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def class_csv(entries: list[Entry], spec: Spec) -> str:
    """One row per student: status, a score per question (empty without a report), totals, and
    in `detail` why a student scored 0 or has no score (Entry.why)."""
    questions = _question_columns(spec)
    header = ["student", "status", *questions, "total", "max_score", "passed", "detail"]
    rows = [header]
    for entry in _sorted_for(entries, spec):
        scores = _question_scores(entry.result)
        cells = [number(scores[q.id]) if q.id in scores else "" for q in spec.questions]
        total = number(entry.score) if entry.result else ""
        max_score = entry.max_score if entry.result else _spec_max(spec)
        passed = "yes" if entry.passed else "no"
        rows.append(
            [entry.student, entry.status, *cells, total, number(max_score), passed, entry.why]
        )
    return _csv_text(rows)


def canvas_csv(entries: list[Entry], spec: Spec, assignment_column: str | None = None) -> str:
    """Canvas's gradebook import CSV for one assignment: the five student columns, one score column.

    Canvas matches each row to a student by the Canvas user "ID" first, then by "SIS User ID",
    then by "SIS Login ID" (the login), then by the exact "Student" name; rows it cannot match
    are listed as unknown students on the import page. We only know the student id, so it goes
    into "SIS User ID" and "SIS Login ID" (and "Student", so unmatched rows are recognisable);
    "ID" stays blank. The score column is matched to an existing assignment by the number in
    "Title (12345)", else by its exact title, else Canvas creates a new assignment: pass the
    Canvas assignment id (digits) or a header copied from a Canvas export as `assignment_column`.
    Missing and duplicate students get an empty cell, which Canvas treats as "no change", so an
    instructor decides; invalid submissions get the 0 their report holds. Cells that a
    spreadsheet would run as a formula get a leading apostrophe (so such an id will not match).
    """
    column = _canvas_column(spec, assignment_column)
    rows = [
        [*CANVAS_STUDENT_COLUMNS, column],
        ["Points Possible", "", "", "", "", number(_spec_max(spec))],
    ]
    for entry in _sorted_for(entries, spec):
        score = number(entry.score) if entry.result else ""
        rows.append([entry.student, "", entry.student, entry.student, "", score])
    return _csv_text(rows)


def gradescope_results(report: Report, note: str = "") -> dict[str, Any]:
    """Gradescope's results.json for one report: a test per question, hidden details withheld.

    A question with a hidden check is shown only once grades are published ("after_published"),
    and while any question is withheld the summary does not state the total either, since the
    total would give the hidden checks away. The summary instead repeats the public checks'
    feedback, the same a student gets from the student kit, so every submission teaches.
    """
    tests = [_gradescope_test(question) for question in report.questions]
    max_total = sum(test["max_score"] for test in tests)
    score = min(sum(test["score"] for test in tests), max_total)
    lines = [note] if note else []
    if report.isolation == "none":  # nothing ran: there is nothing to withhold
        lines.append(
            f"{report.title}: 0 / {number(max_total)}. The submission could not be read, "
            "so none of it ran. Fix the problem above and submit again."
        )
    elif all(test["visibility"] == "visible" for test in tests):
        verdict = "passed" if score >= report.pass_mark else "not passed"
        lines.append(
            f"{report.title}: {number(score)} / {number(max_total)}, {verdict} "
            f"(pass mark {number(report.pass_mark)})."
        )
        if report.advice:
            lines.append(report.advice)
    else:
        lines.append(
            f"{report.title}: your score appears when grades are published, because hidden "
            "checks also ran. Until then, here is what the public checks found:"
        )
        lines += [_public_summary(question) for question in report.questions]
    if report.isolation != "none":
        lines.append(f"Graded in a sandbox (isolation: {report.isolation}).")
    return {
        "score": score,
        "execution_time": round(report.seconds, 3),
        "output": display_text("\n".join(lines)),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_gradescope(entries: Iterable[Entry], folder: Path | str) -> list[Path]:
    """Write `<student>/results.json` under `folder` for every graded or invalid entry."""
    written = []
    for entry in sorted(entries, key=lambda e: e.student):
        if entry.status not in (GRADED, INVALID) or entry.result is None:
            continue
        note = entry.detail if entry.status == INVALID else ""
        path = Path(folder) / safe_name(entry.student) / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(gradescope_results(entry.result, note=note), indent=2)
        path.write_text(f"{text}\n", encoding="utf-8")
        written.append(path)
    return written


def safe_name(student: str) -> str:
    """A file name for a student id: unchanged when already safe, else sanitised plus a hash."""
    cleaned = UNSAFE_FILE_CHARS.sub("_", student)[:80]
    if student and cleaned == student and not student.startswith("."):
        return student
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned.lstrip('.') or 'student'}-{digest}"


def _question_columns(spec: Spec) -> list[str]:
    """Column headers in spec order, e.g. "q3 softmax" (the question id when it names nothing)."""
    return [f"{q.id} {q.names[0]}" if q.names else q.id for q in spec.questions]


def _question_scores(report: Report | None) -> dict[str, float]:
    """Question id -> score from a report, capped at the question's maximum."""
    if report is None:
        return {}
    return {q.id: max(0.0, min(q.points, q.max_points)) for q in report.questions}


def _sorted_for(entries: list[Entry], spec: Spec) -> list[Entry]:
    """Entries sorted by student; ValueError if one belongs to another assignment."""
    for entry in entries:
        if entry.assignment != spec.name:
            raise ValueError(
                f"entry for {entry.student!r} is for {entry.assignment!r}, not {spec.name!r}"
            )
    return sorted(entries, key=lambda e: e.student)


def _spec_max(spec: Spec) -> float:
    """The assignment's maximum score."""
    return sum(q.points for q in spec.questions)


def _csv_text(rows: list[list[object]]) -> str:
    """Rows as CSV text (RFC 4180: CRLF line ends, quoting), every cell made formula-safe.

    Write it with newline="" so Windows does not turn CRLF into CR CR LF.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _canvas_column(spec: Spec, assignment_column: str | None) -> str:
    """The score column's header: "<title> (<canvas id or assignment name>)" or the one given."""
    if assignment_column is None:
        column = f"{spec.title} ({spec.name})"
    elif assignment_column.strip().isdigit():
        column = f"{spec.title} ({assignment_column.strip()})"
    else:
        column = assignment_column
    clash = next((h for h in CANVAS_RESERVED_HEADERS if h in column), "")
    if clash or column in CANVAS_STUDENT_COLUMNS:
        raise ValueError(f"Canvas would not read {column!r} as an assignment column")
    return column


def _gradescope_test(question: QuestionResult) -> dict[str, Any]:
    """One Gradescope test for a question: its points, pass/fail and the failing checks' details."""
    max_score = max(0.0, question.max_points)
    score = max(0.0, min(question.points, max_score))
    checks = question.verdicts
    failures = question.failures  # the most telling first
    shown = [failure_text(check) for check in failures if check.visibility == "public"]
    hidden = len(failures) - len(shown)
    if hidden:
        many = f"{hidden} hidden checks failed" if hidden > 1 else HIDDEN_FAILURE.capitalize()
        shown.append(f"{many} (their details are not shown).")
    output = "\n\n".join(shown) if failures else f"All {len(checks)} checks passed."
    public = all(check.visibility == "public" for check in checks)
    return {
        "score": score,
        "max_score": max_score,
        "status": "passed" if question.passed and not failures else "failed",
        "name": f"Q{question.number} {question.title}",
        "number": str(question.number),
        "output": output,
        "output_format": "text",
        "tags": [question.id],
        "visibility": "visible" if public else "after_published",
    }


def _public_summary(question: QuestionResult) -> str:
    """One question's public checks in a line or a few: all passed, or the first failure."""
    public = [check for check in question.verdicts if check.visibility == "public"]
    failed = next((check for check in question.failures if check.visibility == "public"), None)
    head = f"Q{question.number} {question.title}:"
    if failed is None:
        return f"{head} public checks passed ({len(public)})."
    return f"{head}\n  " + failure_text(failed).replace("\n", "\n  ")
