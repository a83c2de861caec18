"""The report as one self-contained HTML page: inline CSS, PNGs as data URIs, no JavaScript.

Every string that comes from the report is escaped: a submission's messages, tracebacks and
output are hostile text.
"""

from __future__ import annotations

import base64
import math
from html import escape

from graders.render.inert import display_text
from graders.render.plain import COUNTEREXAMPLE, MESSAGE, MISTAKES, TRACEBACK, failure_parts
from graders.verdict import QuestionResult, Report, Verdict

MAX_OUTPUT_LINES = 200
MAX_OUTPUT_CHARS = 20_000
MAX_TRACEBACK_CHARS = 10_000
MAX_TEXT_CHARS = 5_000

FIGURES = (
    ("loss_curve", "Training loss", "Training loss reported by the submission against the step"),
    (
        "confusion",
        "Confusion matrix",
        "Confusion matrix: rows are the true labels, columns the predicted labels",
    ),
    (
        "misclassified",
        "Misclassified examples",
        "Misclassified images, each titled with its predicted and true label",
    ),
    (
        "boundary",
        "Decision boundary",
        "The model's predicted class over the plane, with the test points coloured by their "
        "true class and the misclassified ones circled",
    ),
)

STYLE = """
:root { color-scheme: light; --ok: #1b6e2a; --bad: #a11d1d; --muted: #555; --line: #d0d4d9; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.score { font-size: 1.3rem; font-weight: 600; margin: 1rem 0; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .25em; color: #fff;
         font-weight: 700; letter-spacing: .03em; }
.pass { background: var(--ok); }
.fail { background: var(--bad); }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .35rem .6rem; text-align: left;
         vertical-align: top; }
thead th { background: #f1f3f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.details > td { background: #fbfbfc; }
.check { border-left: 4px solid var(--bad); padding: .25rem .75rem; margin: .5rem 0; }
.check p { margin: .25rem 0; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: .6rem; overflow-x: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem; margin: .25rem 0; }
.prose { white-space: pre-wrap; overflow-wrap: anywhere; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .9rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
"""


def _clean(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Report text made safe to show: capped, inert (no controls, bidi or lone surrogates)."""
    text = str(value)
    if len(text) > limit:
        text = f"{text[:limit]}\n… ({len(text) - limit} more characters not shown)"
    return display_text(text)


def _e(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Report text, cleaned and HTML-escaped (quotes too, so it is safe in attributes)."""
    return escape(_clean(value, limit), quote=True)


def _number(value: object) -> str:
    """A number for people (general format), or the escaped text of something else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _e(f"{value:g}" if math.isfinite(value) else str(value))
    return _e(value, limit=200)


def _verdict_badge(passed: bool) -> str:
    word, style = ("PASS", "pass") if passed else ("FAIL", "fail")
    return f'<span class="badge {style}">{word}</span>'


def _summary(report: Report) -> list[str]:
    """The facts about the run and the score against the pass mark."""
    isolation = _e(report.isolation, 200)
    if report.isolation_detail:
        isolation += f' <span class="muted">({_e(report.isolation_detail, 500)})</span>'
    facts = [
        ("Submission", _e(report.submission, 500)),
        ("Assignment", _e(report.assignment, 200)),
        ("Isolation", isolation),
        (
            "Mode",
            "student (public checks only)" if report.mode == "student" else _e(report.mode, 100),
        ),
    ]
    if report.seconds:
        facts.append(("Time", f"{report.seconds:.2f} s"))
    parts = ['<section aria-labelledby="summary">', '<h2 id="summary">Summary</h2>']
    parts.append('<dl class="facts">')
    parts.extend(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    parts.append("</dl>")
    parts.append(
        f'<p class="score">Score {_number(report.score)}/{_number(report.max_score)} '
        f"{_verdict_badge(report.passed)} "
        f'<span class="muted">(pass mark {_number(report.pass_mark)})</span></p>'
    )
    if report.mode == "student":
        parts.append("<p>Public checks only: hidden checks also run when your work is graded.</p>")
    if report.advice:
        parts.append(f'<p class="prose">{_e(report.advice)}</p>')
    parts.append("</section>")
    return parts


def _metrics(metrics: dict) -> list[str]:
    """A table of the metrics, and accuracy against its threshold when both are there."""
    if not isinstance(metrics, dict) or not metrics:
        return []
    parts = ['<section aria-labelledby="metrics">', '<h2 id="metrics">Metrics</h2>']
    accuracy, threshold = metrics.get("accuracy"), metrics.get("threshold")
    numbers = (int, float)
    if isinstance(accuracy, numbers) and isinstance(threshold, numbers):
        met = accuracy >= threshold
        word, style = ("meets", "ok") if met else ("is below", "bad")
        parts.append(
            f'<p>Accuracy <strong>{_number(accuracy)}</strong> <span class="{style}">{word}'
            f"</span> the threshold <strong>{_number(threshold)}</strong>.</p>"
        )
    parts.append("<table>")
    parts.append("<caption>Metrics measured on the submission</caption>")
    parts.append('<thead><tr><th scope="col">Metric</th><th scope="col" class="num">Value</th>')
    parts.append("</tr></thead><tbody>")
    for name, value in metrics.items():
        parts.append(
            f'<tr><th scope="row">{_e(name, 200)}</th><td class="num">{_number(value)}</td></tr>'
        )
    parts.append("</tbody></table>")
    parts.append("</section>")
    return parts


def _check(verdict: Verdict) -> list[str]:
    """One failing check: its parts (graders.render.plain.failure_parts) and its status."""
    title, *rest = failure_parts(verdict)
    parts = ['<div class="check">']
    parts.append(
        f'<h3>{_e(title.text, 500)} <span class="bad">[{_e(verdict.status.value)}]</span> '
        f'<span class="muted">({_e(verdict.visibility, 50)} check)</span></h3>'
    )
    for part in rest:
        if part.kind == MESSAGE:
            parts.append(f'<p class="prose">{_e(part.text)}</p>')
        elif part.kind in (COUNTEREXAMPLE, TRACEBACK):
            parts.append(f"<p>{part.label}:</p><pre>{_e(part.text)}</pre>")
        elif part.kind == MISTAKES:
            parts.append(f"<p>{part.label}: <strong>{_e(part.text)}</strong></p>")
        else:
            parts.append(f'<p class="prose"><strong>{part.label}:</strong> {_e(part.text)}</p>')
    parts.append("</div>")
    return parts


def _question_rows(result: QuestionResult) -> list[str]:
    """The question's row, and under a failed question a row with its failing checks."""
    passed = result.passed
    outcome = '<span class="ok">passed</span>' if passed else '<span class="bad">failed</span>'
    rows = [
        f'<tr><th scope="row" class="num">{_number(result.number)}</th>'
        f"<td>{_e(result.title, 500)}</td>"
        f'<td class="num">{_number(result.points)}/{_number(result.max_points)}</td>'
        f"<td>{outcome}</td></tr>"
    ]
    failures = [verdict for verdict in result.verdicts if not verdict.passed]
    if not passed:
        details = [part for verdict in failures for part in _check(verdict)]
        if not details:
            details = ['<p class="muted">No check ran for this question.</p>']
        rows.append(f'<tr class="details"><td colspan="4">{"".join(details)}</td></tr>')
    return rows


def _questions(report: Report) -> list[str]:
    parts = ['<section aria-labelledby="questions">', '<h2 id="questions">Questions</h2>']
    parts.append("<table>")
    parts.append("<caption>Points per question; a question's points need all its checks</caption>")
    parts.append(
        '<thead><tr><th scope="col" class="num">Q</th><th scope="col">Title</th>'
        '<th scope="col" class="num">Points</th><th scope="col">Result</th></tr></thead>'
    )
    parts.append("<tbody>")
    for result in report.questions:
        parts.extend(_question_rows(result))
    parts.append("</tbody></table>")
    parts.append("</section>")
    return parts


def _explanations(explanations: dict) -> list[str]:
    if not isinstance(explanations, dict) or not explanations:
        return []
    parts = ['<section aria-labelledby="explanations">']
    parts.append('<h2 id="explanations">Explanations (read by a person, never scored)</h2>')
    for name, text in explanations.items():
        parts.append(f'<h3>{_e(name, 200)}</h3><p class="prose">{_e(text)}</p>')
    parts.append("</section>")
    return parts


def _notes(notes: tuple[str, ...]) -> list[str]:
    if not notes:
        return []
    items = "".join(f"<li>{_e(note, 1000)}</li>" for note in notes)
    heading = '<h2 id="notes">Notes</h2>'
    return ['<section aria-labelledby="notes">', heading, f"<ul>{items}</ul>", "</section>"]


def _output(output: str) -> list[str]:
    """What the submission printed: the first lines, capped."""
    if not output or not output.strip():
        return []
    lines = output.splitlines()
    shown = "\n".join(lines[:MAX_OUTPUT_LINES])
    more = len(lines) - MAX_OUTPUT_LINES
    parts = ['<section aria-labelledby="output">', '<h2 id="output">Printed output</h2>']
    parts.append(
        '<p class="muted">What your code printed, shown for information, never scored.</p>'
    )
    parts.append(f"<pre>{_e(shown, MAX_OUTPUT_CHARS)}</pre>")
    if more > 0:
        parts.append(f'<p class="muted">… {more} more lines not shown.</p>')
    parts.append("</section>")
    return parts


def _figures(figures: dict) -> list[str]:
    """The pictures as data URIs, or a note when matplotlib is missing or nothing could be drawn."""
    if not isinstance(figures, dict) or not figures:
        return []
    from graders.render.plots import figure_pngs

    parts = ['<section aria-labelledby="figures">', '<h2 id="figures">Figures</h2>']
    try:
        pngs = figure_pngs(figures)
    except ImportError:
        parts.append(
            "<p>The figures are not shown: matplotlib is not installed "
            "(<code>pip install matplotlib</code>).</p>"
        )
        pngs = None
    if pngs is not None and not pngs:
        parts.append('<p class="muted">The figures data could not be drawn.</p>')
    for name, caption, alt in FIGURES:
        if pngs and name in pngs:
            data = base64.b64encode(pngs[name]).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
                f"<figcaption>{escape(caption)}</figcaption></figure>"
            )
    parts.append("</section>")
    return parts


def page(title: str, heading: str, subtitle: str, style: str, body: list[str]) -> str:
    """A self-contained HTML5 page; every argument is HTML already escaped by the caller."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
        "<main>",
        f'<header><h1>{heading}</h1><p class="muted">{subtitle}</p></header>',
    ]
    tail = ["<footer><p>Generated by dlgrade.</p></footer>", "</main>", "</body>", "</html>", ""]
    return "\n".join([*head, *body, *tail])


def render_html(report: Report) -> str:
    """One self-contained HTML5 page: summary, metrics, questions and failures, output, figures."""
    title = _e(report.title, 300)
    body = [
        *_summary(report),
        *_metrics(report.metrics),
        *_questions(report),
        *_explanations(report.explanations),
        *_notes(report.notes),
        *_output(report.output),
        *_figures(report.figures),
    ]
    return page(
        f"dlgrade · {title} · {_e(report.submission, 300)}",
        title,
        f"Graded by dlgrade · {_e(report.submission, 500)}",
        STYLE,
        body,
    )
