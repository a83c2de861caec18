"""A class at a glance for the instructor: one self-contained HTML page, and the numbers behind it.

The page (graders/render/templates/class_report.html.j2) has inline CSS, PNG charts as data URIs
and no JavaScript; every string that came from a student (ids, paths, details, the names in their
reports, what their functions returned) is made inert and escaped. Scores, pass rates per
question, misconceptions, unnamed mistakes and weakest questions are computed from the graded
entries only: the error, invalid, missing and duplicate ones are counted and listed on their own.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, STATUSES, Entry
from graders.batch.mistakes import unnamed
from graders.render.pages import number, percent, render_page, score
from graders.render.plain import capped
from graders.render.plots import data_url, new_figure, png_bytes
from graders.spec import Spec
from graders.verdict import QuestionResult

SLOWEST = 10  # submissions listed by grading time
UNNAMED = 10  # groups of students sharing a wrong function no known mistake explains, listed
MOST_PASSED = 0.5  # a failed question "most of the class passed" has a pass rate above this
MAX_DISCRETE_SCORE = 60  # integral scores up to this get one histogram bar per score
BINS = 20  # histogram bars otherwise
PROBLEMS = (ERROR, INVALID, MISSING, DUPLICATE)

# ---------------------------------------------------------------------------------------------
# The numbers
# ---------------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def _check_entries(entries: Sequence[Entry], spec: Spec) -> None:
    """Refuse entries of another assignment or with an unknown status."""
    for entry in entries:
        if entry.status not in STATUSES:
            raise ValueError(f"{entry.student}: unknown status {entry.status!r}")
        if entry.assignment != spec.name:
            raise ValueError(
                f"{entry.student}: entry of assignment {entry.assignment!r}, not {spec.name!r}"
            )


def _report_questions(entry: Entry) -> dict[str, QuestionResult]:
    """The questions of an entry's report, by id."""
    return {q.id: q for q in entry.result.questions} if entry.result else {}


def _question_rates(graded: Sequence[Entry], spec: Spec) -> list[dict[str, Any]]:
    """For each question of the spec: how many graded reports had it, and passed it."""
    rows = []
    for question in spec.questions:
        attempted = passed = 0
        for entry in graded:
            result = _report_questions(entry).get(question.id)
            if result is not None:
                attempted += 1
                passed += result.passed
        rows.append(
            {
                "id": question.id,
                "number": question.number,
                "title": question.title,
                "attempted": attempted,
                "passed": passed,
                "pass_rate": _rate(passed, attempted),
            }
        )
    return rows


def _misconceptions(graded: Sequence[Entry], spec: Spec) -> list[dict[str, Any]]:
    """Named mistakes seen in failed checks: students showing each, and in which questions."""
    numbers = {question.id: question.number for question in spec.questions}
    students: dict[str, set[str]] = {}
    questions: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for entry in graded:
        for question_id, question in _report_questions(entry).items():
            for check in question.failures:
                key = check.misconception
                if not key:
                    continue
                students.setdefault(key, set()).add(entry.student)
                questions.setdefault(key, set()).add(question_id)
                if check.misconception_name and key not in names:
                    names[key] = check.misconception_name
    rows = []
    for key, who in students.items():
        known = spec.misconceptions.get(key)
        ids = sorted(questions[key], key=lambda q: (numbers.get(q, math.inf), q))
        rows.append(
            {
                "id": key,
                "name": names.get(key) or (known.name if known else key),
                "count": len(who),
                "questions": ids,
                "question_numbers": [numbers[q] for q in ids if q in numbers],
            }
        )
    return sorted(rows, key=lambda row: (-row["count"], row["name"], row["id"]))


def _weakest(entry: Entry, spec: Spec, rates: dict[str, float | None]) -> dict[str, Any] | None:
    """The failed question most of the class passed (the best-passed one), else the first;
    None for a submission that did not load (its zeros are not about any question)."""
    if entry.result is None or entry.result.load_error:
        return None
    results = _report_questions(entry)
    failed = [
        question
        for question in spec.questions
        if question.id in results and not results[question.id].passed
    ]
    if not failed:
        return None
    best = max(failed, key=lambda question: rates.get(question.id) or 0.0)  # first on ties
    best_rate = rates.get(best.id) or 0.0
    chosen, reason = (
        (best, "most of the class passed it")
        if best_rate > MOST_PASSED
        else (failed[0], "first failed question")
    )
    return {
        "id": chosen.id,
        "number": chosen.number,
        "title": chosen.title,
        "class_pass_rate": rates.get(chosen.id),
        "reason": reason,
    }


def class_summary(entries: Sequence[Entry], spec: Spec) -> dict[str, Any]:
    """The numbers behind the class report, as a JSON-able dict (rates are fractions 0..1)."""
    _check_entries(entries, spec)
    counts = {status: sum(entry.status == status for entry in entries) for status in STATUSES}
    graded = [entry for entry in entries if entry.status == GRADED]
    scores = sorted(entry.score for entry in graded)
    passed = sum(entry.passed for entry in graded)
    questions = _question_rates(graded, spec)
    rates = {row["id"]: row["pass_rate"] for row in questions}
    failed = sorted(
        (entry for entry in graded if not entry.passed),
        key=lambda entry: (entry.score, entry.student),
    )
    timed = sorted(
        (entry for entry in entries if entry.seconds > 0),
        key=lambda entry: (-entry.seconds, entry.student),
    )
    problems = sorted(
        (entry for entry in entries if entry.status in PROBLEMS),
        key=lambda entry: (PROBLEMS.index(entry.status), entry.student),
    )
    return {
        "assignment": spec.name,
        "title": spec.title,
        "students": len(entries),
        "counts": counts,
        "passed": passed,
        "failed": len(failed),
        "pass_rate": _rate(passed, len(entries)),
        "graded_pass_rate": _rate(passed, len(graded)),
        "pass_mark": spec.pass_mark,
        "max_score": sum(question.points for question in spec.questions),
        "mean_score": statistics.fmean(scores) if scores else None,
        "median_score": statistics.median(scores) if scores else None,
        "scores": scores,
        "questions": questions,
        "misconceptions": _misconceptions(graded, spec),
        "unnamed_mistakes": [
            {
                "function": group.function,
                "count": len(group.students),
                "example_student": group.students[0],
                "example": group.example,
                "students": list(group.students),
            }
            for group in unnamed(graded)[:UNNAMED]
        ],
        "failed_students": [
            {
                "student": entry.student,
                "score": entry.score,
                "max_score": entry.max_score,
                "why": entry.why,
                "weakest": _weakest(entry, spec, rates),
            }
            for entry in failed
        ],
        "slowest": [
            {"student": entry.student, "seconds": entry.seconds, "status": entry.status}
            for entry in timed[:SLOWEST]
        ],
        "problems": [
            {
                "student": entry.student,
                "status": entry.status,
                "why": entry.why,
                "path": entry.path,
            }
            for entry in problems
        ],
    }


# ---------------------------------------------------------------------------------------------
# The charts
# ---------------------------------------------------------------------------------------------


def score_histogram_png(scores: Sequence[float], max_score: float, pass_mark: float) -> bytes:
    """A histogram of the scores with the pass mark as a dashed vertical line."""
    from matplotlib.ticker import MaxNLocator

    top = max([max_score, *scores, 1.0])
    discrete = all(float(s).is_integer() for s in [*scores, top]) and top <= MAX_DISCRETE_SCORE
    figure = new_figure(7.5, 3.4)
    axes = figure.add_subplot()
    if discrete:  # one bar [k, k+1) per score k, labelled k in its middle
        edges = [float(k) for k in range(int(top) + 2)]
        line = float(math.ceil(pass_mark))  # between the last failing and first passing bar
        step = max(1, math.ceil((int(top) + 1) / 25))
        axes.set_xticks(
            [k + 0.5 for k in range(0, int(top) + 1, step)],
            labels=[str(k) for k in range(0, int(top) + 1, step)],
        )
    else:
        edges = [top * k / BINS for k in range(BINS + 1)]
        line = pass_mark
    counts, _, _ = axes.hist(scores, bins=edges, color="#1f5fa8", edgecolor="white", linewidth=1)
    axes.set_ylim(0, max(float(counts.max()), 1.0) * 1.3)  # headroom: the legend clears the bars
    axes.axvline(
        line, color="#a11d1d", linestyle="--", linewidth=2.0, label=f"pass mark {pass_mark:g}"
    )
    axes.set_xlim(edges[0], edges[-1])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_title(f"Scores of the {len(scores)} graded submissions")
    axes.legend(loc="upper left")
    axes.grid(True, axis="y", alpha=0.3)
    return png_bytes(figure)


def question_pass_rates_png(numbers: Sequence[int], rates: Sequence[float | None]) -> bytes:
    """A bar per question: the percentage of graded submissions that passed it."""
    percents = [100.0 * rate if rate is not None else 0.0 for rate in rates]
    colours = ["#1b6e2a" if p >= 50.0 else "#a11d1d" for p in percents]
    figure = new_figure(7.5, 3.4)
    axes = figure.add_subplot()
    labels = [f"Q{number}" for number in numbers]
    bars = axes.bar(labels, percents, color=colours)
    axes.bar_label(
        bars,
        labels=["n/a" if r is None else f"{p:.0f}%" for p, r in zip(percents, rates, strict=True)],
        fontsize=8,
        padding=2,
    )
    axes.set_ylim(0, 110)
    axes.set_yticks(range(0, 101, 20))
    axes.set_ylabel("% passed")
    axes.set_title("Pass rate per question (green: at least half the class)")
    axes.tick_params(axis="x", labelrotation=90 if len(labels) > 20 else 0)
    axes.grid(True, axis="y", alpha=0.3)
    return png_bytes(figure)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def class_report_html(entries: Sequence[Entry], spec: Spec, title: str | None = None) -> str:
    """One self-contained HTML5 page about a class's results on one assignment."""
    return render_page("class_report.html.j2", **class_view(class_summary(entries, spec), title))


def class_view(summary: dict[str, Any], title: str | None = None) -> dict[str, Any]:
    """What the class report page shows: the summary, its headline numbers and its charts."""
    heading = capped(title if title is not None else f"{summary['title']}: class report", 300)
    counts = summary["counts"]
    stats = [
        ("students", "Students", number(summary["students"])),
        ("graded", "Graded", number(counts[GRADED])),
        ("invalid", "Invalid", number(counts[INVALID])),
        ("missing", "Missing", number(counts[MISSING])),
        ("duplicate", "Duplicate", number(counts[DUPLICATE])),
        ("errors", "Errors", number(counts[ERROR])),
        ("passed", "Passed", number(summary["passed"])),
        ("pass-rate", "Pass rate", percent(summary["pass_rate"])),
        ("graded-pass-rate", "Pass rate of graded", percent(summary["graded_pass_rate"])),
        ("mean", "Mean score", score(summary["mean_score"])),
        ("median", "Median score", score(summary["median_score"])),
    ]
    return {
        "page_title": heading,
        "heading": heading,
        "subtitle": f"Assignment {capped(summary['assignment'], 200)} · "
        f"{capped(summary['title'], 300)}",
        "stats": [{"key": key, "name": name, "value": value} for key, name, value in stats],
        "summary": summary,
        "charts": _charts(summary),
    }


def _charts(summary: dict[str, Any]) -> dict[str, dict[str, str] | None]:
    """The histogram and the pass-rate bars as images (None when matplotlib is missing)."""
    if not summary["scores"]:
        return {"histogram": None, "pass_rates": None}
    pass_mark = score(summary["pass_mark"])
    questions = summary["questions"]
    return {
        "histogram": _chart(
            score_histogram_png,
            summary["scores"],
            summary["max_score"],
            summary["pass_mark"],
            alt="Histogram of the scores of the graded submissions, pass mark as a dashed line",
            caption=f"Scores of the graded submissions; the dashed line is the pass mark "
            f"({pass_mark}).",
        ),
        "pass_rates": _chart(
            question_pass_rates_png,
            [row["number"] for row in questions],
            [row["pass_rate"] for row in questions],
            alt="Bar chart of the percentage of graded submissions passing each question",
            caption="Percentage of the graded submissions that passed each question.",
        )
        if questions
        else None,
    }


def _chart(draw: Any, *args: Any, alt: str, caption: str) -> dict[str, str] | None:
    """A chart as an image for the page, or None when matplotlib is missing."""
    try:
        return {"src": data_url(draw(*args)), "alt": alt, "caption": caption}
    except ImportError:
        return None


def write_class_report(
    entries: Sequence[Entry], spec: Spec, path: Path | str, title: str | None = None
) -> Path:
    """Write the class report page to path (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(class_report_html(entries, spec, title), encoding="utf-8")
    return target
