"""The report as one self-contained HTML page: inline CSS, PNGs as data URIs, no JavaScript.

`report_view` turns a Report into plain data; templates/report.html.j2 lays it out. The
environment (graders.render.pages) makes every string inert and escapes it.
"""

from __future__ import annotations

from typing import Any

from graders.render.pages import render_page
from graders.render.plain import failure_parts
from graders.render.plots import FIGURES, data_url, figure_pngs
from graders.verdict import QuestionResult, Report, Verdict

MAX_OUTPUT_LINES = 200  # lines of printed output shown (the template caps every text too)


def render_html(report: Report) -> str:
    """One self-contained HTML5 page: summary, metrics, questions and failures, output, figures."""
    return render_page("report.html.j2", **report_view(report))


def report_view(report: Report) -> dict[str, Any]:
    """What the report page shows, as plain data (the template caps, the environment escapes)."""
    mode = "student (public checks only)" if report.mode == "student" else report.mode
    facts = [
        {"name": "Submission", "value": report.submission, "detail": ""},
        {"name": "Assignment", "value": report.assignment, "detail": ""},
        {"name": "Isolation", "value": report.isolation, "detail": report.isolation_detail},
        {"name": "Mode", "value": mode, "detail": ""},
    ]
    if report.seconds:
        facts.append({"name": "Time", "value": f"{report.seconds:.2f} s", "detail": ""})
    reason, _, traceback = report.load_error.partition("\n")
    loaded = not report.load_error and not report.fault  # else the reason is said once, on top
    lines = report.output.splitlines() if report.output.strip() else []
    return {
        "title": report.title,
        "submission": report.submission,
        "facts": facts,
        "graded": report.graded,
        "passed": report.passed,
        "score": report.score,
        "max_score": report.max_score,
        "pass_mark": report.pass_mark,
        "fault": report.fault,
        "load_error": {"reason": reason, "traceback": traceback.rstrip()},
        "student_mode": report.mode == "student",
        "advice": report.advice,
        "metrics": _metrics(report.metrics),
        "questions": [_question(result, loaded) for result in report.questions],
        "explanations": report.explanations,
        "notes": report.notes,
        "output": {"lines": lines[:MAX_OUTPUT_LINES], "more": len(lines) - MAX_OUTPUT_LINES},
        "figures": _figures(report.figures),
    }


def _metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics, and accuracy against its threshold when both are numbers."""
    accuracy, threshold = metrics.get("accuracy"), metrics.get("threshold")
    against = None
    if _numeric(accuracy) and _numeric(threshold):
        against = {"accuracy": accuracy, "value": threshold, "met": accuracy >= threshold}
    return {"threshold": against, "table": metrics}


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _question(result: QuestionResult, loaded: bool) -> dict[str, Any]:
    """A question's row; under a failed question (of a submission that loaded) its failures."""
    if result.errored:
        outcome = {"word": "not graded", "style": "bad"}
    elif result.pending:
        outcome = {"word": "format OK, graded at submission", "style": "muted"}
    elif result.passed:
        outcome = {"word": "passed", "style": "ok"}
    else:
        outcome = {"word": "failed", "style": "bad"}
    return {
        "number": result.number,
        "title": result.title,
        "points": result.points,
        "max_points": result.max_points,
        "outcome": outcome,
        "details": loaded and not result.passed and not result.pending,
        "failures": [_failure(verdict) for verdict in result.failures],
    }


def _failure(verdict: Verdict) -> dict[str, Any]:
    """One failed check: its status and visibility, and the parts the failure formatter gives."""
    title, *parts = failure_parts(verdict)
    return {
        "title": title.text,
        "status": verdict.status.value,
        "visibility": verdict.visibility,
        "parts": [{"kind": p.kind, "label": p.label, "text": p.text} for p in parts],
    }


def _figures(figures: dict[str, Any]) -> dict[str, Any] | None:
    """The pictures as data URLs, or why there are none (matplotlib missing, undrawable)."""
    if not figures:
        return None
    try:
        pngs = figure_pngs(figures)
    except ImportError:
        return {"no_matplotlib": True, "images": []}
    images = [
        {"src": data_url(pngs[name]), "alt": alt, "caption": caption}
        for name, caption, alt in FIGURES
        if name in pngs
    ]
    return {"no_matplotlib": False, "images": images}
