"""A class at a glance for the instructor: one self-contained HTML page, and the numbers behind it.

The page has inline CSS, PNG charts as data URIs and no JavaScript; every string that came from
a student (ids, paths, details, the names in their reports) is escaped. Scores, pass rates per
question, misconceptions and weakest questions are computed from the graded entries only: the
invalid, missing and duplicate ones are counted and listed on their own.
"""

from __future__ import annotations

import base64
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, STATUSES, Entry
from graders.render.html import STYLE, _e, _number, page
from graders.render.plots import _figure, _png
from graders.spec import Spec
from graders.verdict import QuestionResult

SLOWEST = 10  # submissions listed by grading time
MOST_PASSED = 0.5  # a failed question "most of the class passed" has a pass rate above this
MAX_DISCRETE_SCORE = 60  # integral scores up to this get one histogram bar per score
BINS = 20  # histogram bars otherwise
PROBLEMS = (ERROR, INVALID, MISSING, DUPLICATE)

CLASS_STYLE = f"""{STYLE}
main {{ max-width: 64rem; }}
.stats {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
          gap: .6rem; margin: .75rem 0; padding: 0; }}
.stats div {{ border: 1px solid var(--line); border-radius: .4rem; padding: .5rem .75rem;
              background: #f8f9fa; }}
.stats dt {{ color: var(--muted); font-size: .85rem; }}
.stats dd {{ margin: 0; font-size: 1.35rem; font-weight: 650;
             font-variant-numeric: tabular-nums; }}
td.id {{ font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
         overflow-wrap: anywhere; }}
.status {{ font-weight: 600; }}
.status-invalid, .status-duplicate, .status-error {{ color: var(--bad); }}
.status-missing {{ color: var(--muted); }}
.status-graded {{ color: var(--ok); }}
"""


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
    """The failed question most of the class passed (the best-passed one), else the first."""
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
        "failed_students": [
            {
                "student": entry.student,
                "score": entry.score,
                "max_score": entry.max_score,
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
                "detail": entry.detail,
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
    figure = _figure(7.5, 3.4)
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
    return _png(figure)


def question_pass_rates_png(numbers: Sequence[int], rates: Sequence[float | None]) -> bytes:
    """A bar per question: the percentage of graded submissions that passed it."""
    percents = [100.0 * rate if rate is not None else 0.0 for rate in rates]
    colours = ["#1b6e2a" if p >= 50.0 else "#a11d1d" for p in percents]
    figure = _figure(7.5, 3.4)
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
    return _png(figure)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _percent(rate: float | None) -> str:
    """A fraction as a percentage with one decimal, or a dash when undefined."""
    return "—" if rate is None else f"{rate:.1%}"


def _score(value: float | None) -> str:
    """A score with at most two decimals, or a dash when undefined."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _img(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _chart(draw: Any, *args: Any, alt: str, caption: str) -> str:
    """A chart as a figure, or a note when matplotlib is missing."""
    try:
        return _img(draw(*args), alt, caption)
    except ImportError:
        return (
            "<p>The chart is not shown: matplotlib is not installed "
            "(<code>pip install matplotlib</code>).</p>"
        )


def _section(key: str, heading: str, body: list[str]) -> list[str]:
    return [
        f'<section aria-labelledby="{key}">',
        f'<h2 id="{key}">{heading}</h2>',
        *body,
        "</section>",
    ]


def _table(caption: str, head: list[tuple[str, bool]], rows: list[str]) -> str:
    """A table: caption, header cells (name, numeric) and ready-made <tr> rows."""
    number = ' class="num"'
    cells = "".join(
        f'<th scope="col"{number if numeric else ""}>{name}</th>' for name, numeric in head
    )
    return (
        f"<table><caption>{caption}</caption><thead><tr>{cells}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _status(status: str) -> str:
    return f'<span class="status status-{_e(status, 20)}">{_e(status, 20)}</span>'


def _summary_section(summary: dict[str, Any]) -> list[str]:
    counts = summary["counts"]
    stats = [
        ("students", "Students", _number(summary["students"])),
        ("graded", "Graded", _number(counts[GRADED])),
        ("invalid", "Invalid", _number(counts[INVALID])),
        ("missing", "Missing", _number(counts[MISSING])),
        ("duplicate", "Duplicate", _number(counts[DUPLICATE])),
        ("passed", "Passed", _number(summary["passed"])),
        ("pass-rate", "Pass rate", _percent(summary["pass_rate"])),
        ("graded-pass-rate", "Pass rate of graded", _percent(summary["graded_pass_rate"])),
        ("mean", "Mean score", _score(summary["mean_score"])),
        ("median", "Median score", _score(summary["median_score"])),
    ]
    items = "".join(
        f'<div><dt>{name}</dt><dd id="stat-{key}">{value}</dd></div>' for key, name, value in stats
    )
    body = [
        f'<dl class="stats">{items}</dl>',
        f'<p class="muted">Scores are out of {_score(summary["max_score"])}, pass mark '
        f"{_score(summary['pass_mark'])}. The pass rate counts every student on the list; "
        "mean, median and the charts below use the graded submissions only.</p>",
    ]
    return _section("summary", "Summary", body)


def _histogram_section(summary: dict[str, Any]) -> list[str]:
    scores = summary["scores"]
    if not scores:
        return _section("scores", "Scores", ['<p class="muted">No graded submission yet.</p>'])
    chart = _chart(
        score_histogram_png,
        scores,
        summary["max_score"],
        summary["pass_mark"],
        alt="Histogram of the scores of the graded submissions, pass mark as a dashed line",
        caption=f"Scores of the graded submissions; the dashed line is the pass mark "
        f"({_score(summary['pass_mark'])}).",
    )
    return _section("scores", "Scores", [chart])


def _questions_section(summary: dict[str, Any]) -> list[str]:
    questions = summary["questions"]
    body = []
    if summary["scores"] and questions:
        body.append(
            _chart(
                question_pass_rates_png,
                [row["number"] for row in questions],
                [row["pass_rate"] for row in questions],
                alt="Bar chart of the percentage of graded submissions passing each question",
                caption="Percentage of the graded submissions that passed each question.",
            )
        )
    rows = [
        f'<tr><th scope="row" class="num">{_number(row["number"])}</th>'
        f"<td>{_e(row['title'], 500)}</td>"
        f'<td class="num">{_number(row["passed"])}/{_number(row["attempted"])}</td>'
        f'<td class="num">{_percent(row["pass_rate"])}</td></tr>'
        for row in questions
    ]
    body.append(
        _table(
            "Pass rate per question (graded submissions)",
            [("Q", True), ("Title", False), ("Passed", True), ("% passed", True)],
            rows,
        )
    )
    return _section("questions", "Questions", body)


def _misconceptions_section(summary: dict[str, Any]) -> list[str]:
    rows = []
    for row in summary["misconceptions"]:
        numbers = ", ".join(f"Q{number}" for number in row["question_numbers"])
        rows.append(
            f'<tr><td>{_e(row["name"], 500)} <span class="muted">({_e(row["id"], 200)})</span>'
            f'</td><td class="num">{_number(row["count"])}</td>'
            f"<td>{numbers or _e(', '.join(row['questions']), 500)}</td></tr>"
        )
    if not rows:
        body = ['<p class="muted">No known mistake was recognised in the graded submissions.</p>']
    else:
        body = [
            _table(
                "Known mistakes, most common first (students showing each)",
                [("Misconception", False), ("Students", True), ("Questions", False)],
                rows,
            )
        ]
    return _section("misconceptions", "Most common misconceptions", body)


def _failed_section(summary: dict[str, Any]) -> list[str]:
    rows = []
    for row in summary["failed_students"]:
        weakest = row["weakest"]
        if weakest is None:
            question = '<span class="muted">none failed</span>'
        else:
            question = (
                f"Q{_number(weakest['number'])} {_e(weakest['title'], 500)} "
                f'<span class="muted">({_e(weakest["reason"])}; class '
                f"{_percent(weakest['class_pass_rate'])})</span>"
            )
        rows.append(
            f'<tr><td class="id">{_e(row["student"], 300)}</td>'
            f'<td class="num">{_score(row["score"])}/{_score(row["max_score"])}</td>'
            f"<td>{question}</td></tr>"
        )
    if not rows:
        body = ['<p class="muted">No graded submission failed.</p>']
    else:
        body = [
            _table(
                "Graded submissions below the pass mark, lowest score first",
                [("Student", False), ("Score", True), ("Weakest question", False)],
                rows,
            )
        ]
    return _section("failed", f"Students who failed ({len(rows)})", body)


def _slowest_section(summary: dict[str, Any]) -> list[str]:
    rows = [
        f'<tr><td class="id">{_e(row["student"], 300)}</td>'
        f'<td class="num">{row["seconds"]:.2f} s</td><td>{_status(row["status"])}</td></tr>'
        for row in summary["slowest"]
    ]
    if not rows:
        body = ['<p class="muted">No grading time was recorded.</p>']
    else:
        body = [
            _table(
                f"The {len(rows)} longest gradings",
                [("Student", False), ("Time", True), ("Status", False)],
                rows,
            )
        ]
    return _section("slowest", "Slowest submissions", body)


def _problems_section(summary: dict[str, Any]) -> list[str]:
    rows = [
        f'<tr><td class="id">{_e(row["student"], 300)}</td><td>{_status(row["status"])}</td>'
        f'<td class="prose">{_e(row["detail"], 1000)}</td>'
        f'<td class="id">{_e(row["path"], 500)}</td></tr>'
        for row in summary["problems"]
    ]
    if not rows:
        body = ['<p class="muted">Every student has a graded submission.</p>']
    else:
        body = [
            _table(
                "Entries that were not graded",
                [("Student", False), ("Status", False), ("Detail", False), ("Path", False)],
                rows,
            )
        ]
    heading = f"Not graded: errors, invalid, missing and duplicate ({len(rows)})"
    return _section("problems", heading, body)


def class_report_html(entries: Sequence[Entry], spec: Spec, title: str | None = None) -> str:
    """One self-contained HTML5 page about a class's results on one assignment."""
    summary = class_summary(entries, spec)
    heading = _e(title if title is not None else f"{spec.title}: class report", 300)
    body = [
        *_summary_section(summary),
        *_histogram_section(summary),
        *_questions_section(summary),
        *_misconceptions_section(summary),
        *_failed_section(summary),
        *_slowest_section(summary),
        *_problems_section(summary),
    ]
    subtitle = f"Assignment {_e(spec.name, 200)} · {_e(spec.title, 300)}"
    return page(f"dlgrade · {heading}", heading, subtitle, CLASS_STYLE, body)


def write_class_report(
    entries: Sequence[Entry], spec: Spec, path: Path | str, title: str | None = None
) -> Path:
    """Write the class report page to path (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(class_report_html(entries, spec, title), encoding="utf-8")
    return target
