"""Gradebook exports: a class CSV, a Canvas import CSV and Gradescope results.json.

Everything here is a pure function of entries and their Reports (`Entry.result`), except
`write_gradescope`, which writes the Gradescope files. Formats:

- Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (results.json,
  its "Output String Formatting" for the html summary) and .../en/latest/leaderboards/
- Canvas: the gradebook importer (canvas-lms app/models/gradebook_importer.rb) and
  https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807
- JUnit XML (`dlgrade export --format junit`) is graders/render/junit.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from graders.batch.discover import Roster
from graders.batch.entry import GRADED, INVALID, Entry
from graders.render.inert import csv_cell, display_text
from graders.render.plain import failure_text, number
from graders.render.plots import Picture, pictures
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


def canvas_csv(
    entries: list[Entry],
    spec: Spec,
    assignment_column: str | None = None,
    roster: Roster | None = None,
) -> str:
    """Canvas's gradebook import CSV for one assignment: the five student columns, one score column.

    Canvas matches each row to a student by the Canvas user "ID" first, then by "SIS User ID",
    then by "SIS Login ID" (the login), then by the exact "Student" name; rows it cannot match
    are listed as unknown students on the import page. A roster that carries Canvas's columns
    (as its gradebook export names them) fills them in; a student the roster gives none for
    gets the student id as "SIS User ID" and "SIS Login ID" and a blank "ID". "Student" is
    always the student id, so an unmatched row is recognisable. Every roster student gets a
    row. The score column is matched to an existing assignment by the number in
    "Title (12345)", else by its exact title, else Canvas creates a new assignment: pass the
    Canvas assignment id (digits) or a header copied from a Canvas export as `assignment_column`.
    A student without a gradeable result (missing, a duplicate claim, an error of ours: never
    a 0) gets an empty cell, so an instructor decides; an invalid submission gets the 0 its
    report holds. Cells that a spreadsheet would run as a formula get a leading apostrophe
    (so such an id will not match).
    """
    column = _canvas_column(spec, assignment_column)
    rows = [
        [*CANVAS_STUDENT_COLUMNS, column],
        ["Points Possible", "", "", "", "", number(_spec_max(spec))],
    ]
    scores = {entry.student: _gradeable_score(entry) for entry in _sorted_for(entries, spec)}
    known = roster.canvas if roster else {}
    for student in sorted(set(scores) | (roster.students if roster else set())):
        ids = known.get(student) or {"SIS User ID": student, "SIS Login ID": student}
        canvas = [ids.get(header, "") for header in CANVAS_STUDENT_COLUMNS[1:]]
        rows.append([student, *canvas, scores.get(student, "")])
    return _csv_text(rows)


def _gradeable_score(entry: Entry) -> str:
    """The score cell: an invalid submission's 0, a graded one's score (unless a fault of ours
    touched its report), else ""."""
    if entry.result is None or entry.status not in (GRADED, INVALID):
        return ""
    if entry.status == GRADED and not entry.result.graded:
        return ""
    return number(entry.score)


def gradescope_results(report: Report, note: str = "", *, figures: bool = False) -> dict[str, Any]:
    """Gradescope's results.json for one report: a test per question, hidden details withheld.

    A question with a hidden check is shown only once grades are published ("after_published"),
    and while any question is withheld the summary does not state the total either, since the
    total would give the hidden checks away. The summary instead repeats the public checks'
    feedback, the same a student gets from the student kit, so every submission teaches.

    A project track whose checks are all public also gets a leaderboard (its test accuracy)
    and, with `figures`, its loss curve, confusion matrix and decision boundary as images in
    the summary (output_format "html"; the text stays above them, for a reader whose images
    Gradescope's HTML sanitiser removed).
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
        lines += [line for line in (metrics_line(report), report.advice) if line]
    else:
        lines.append(
            f"{report.title}: your score appears when grades are published, because hidden "
            "checks also ran. Until then, here is what the public checks found:"
        )
        lines += [_public_summary(question) for question in report.questions]
    if report.isolation != "none":
        lines.append(f"Graded in a sandbox (isolation: {report.isolation}).")
    text = display_text("\n".join(lines))
    shown = pictures(report.figures) if figures and all_public(report) else []
    results = {
        "score": score,
        "execution_time": round(report.seconds, 3),
        "output": _with_pictures(text, shown) if shown else text,
        "output_format": "html" if shown else "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    board = leaderboard(report)
    if board:
        results["leaderboard"] = board
    return results


def all_public(report: Report) -> bool:
    """Whether nothing of the report is withheld: some of it ran and every check is public.
    Only then may a leaderboard or a picture show what the checks measured."""
    checks = [check for question in report.questions for check in question.verdicts]
    return report.isolation != "none" and all(c.visibility == "public" for c in checks)


def _finite(value: object) -> float | None:
    """A metric as a finite float, or None (missing, not a number, nan or infinite)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def metrics_line(report: Report) -> str:
    """A project's measurements in a sentence (test accuracy, threshold, training time), or ""."""
    metrics = report.metrics
    accuracy, threshold = _finite(metrics.get("accuracy")), _finite(metrics.get("threshold"))
    seconds = _finite(metrics.get("training_cpu_seconds"))
    if accuracy is None:
        return ""
    line = f"Test accuracy {accuracy:.2%}"
    if threshold is not None:
        line += f" (threshold {threshold:.1%})"
    if seconds is not None:
        line += f"; training used {seconds:.2f} CPU seconds"
    return f"{line}."


def leaderboard(report: Report) -> list[dict[str, Any]]:
    """Gradescope's leaderboard for a project track whose checks are all public: the test
    accuracy (higher ranks first) and the training's CPU seconds (lower ranks first)."""
    metrics = report.metrics
    accuracy = _finite(metrics.get("accuracy"))
    if accuracy is None or not all_public(report):
        return []
    board = [{"name": "Test accuracy", "value": round(accuracy, 4), "order": "desc"}]
    seconds = _finite(metrics.get("training_cpu_seconds"))
    if seconds is not None:
        board.append({"name": "Training CPU seconds", "value": round(seconds, 2), "order": "asc"})
    return board


def _with_pictures(text: str, shown: list[Picture]) -> str:
    """The summary as HTML: the text (escaped) in a <pre>, then each picture with its caption."""
    parts = [f"<pre>{escape(text)}</pre>"]
    parts += [
        f'<p><strong>{escape(p.caption)}</strong><br><img src="{p.url}" alt="{escape(p.alt)}"></p>'
        for p in shown
    ]
    return "\n".join(parts)


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


def withheld_output(question: QuestionResult) -> str:
    """A question's feedback: each failed public check in full (the most telling first), failed
    hidden checks only counted (their inputs and messages would give the checks away)."""
    failures = question.failures
    shown = [failure_text(check) for check in failures if check.visibility == "public"]
    hidden = len(failures) - len(shown)
    if hidden:
        many = f"{hidden} hidden checks failed" if hidden > 1 else HIDDEN_FAILURE.capitalize()
        shown.append(f"{many} (their details are not shown).")
    return "\n\n".join(shown) if failures else f"All {len(question.verdicts)} checks passed."


def _gradescope_test(question: QuestionResult) -> dict[str, Any]:
    """One Gradescope test for a question: its points, pass/fail and the failing checks' details."""
    max_score = max(0.0, question.max_points)
    score = max(0.0, min(question.points, max_score))
    public = all(check.visibility == "public" for check in question.verdicts)
    return {
        "score": score,
        "max_score": max_score,
        "status": "passed" if question.passed and not question.failures else "failed",
        "name": f"Q{question.number} {question.title}",
        "number": str(question.number),
        "output": withheld_output(question),
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
