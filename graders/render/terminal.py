"""The report for a person at a terminal, one line per question, drawn with rich.

Everything a submission can influence (messages, tracebacks, what it printed, file names)
is made inert first and indented on every line it wraps onto, so it can neither drive the
terminal nor pass for a line of the report.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from graders.render.inert import display_text
from graders.render.plain import COUNTEREXAMPLE, HINT, MISTAKES, TRACEBACK, failure_parts
from graders.verdict import Cause, QuestionResult, Report, Status, Verdict

STYLES = {COUNTEREXAMPLE: "dim", MISTAKES: "cyan", HINT: "cyan", TRACEBACK: "dim"}


def mark(verdict: Verdict) -> tuple[str, str]:
    """The symbol and colour of a check's outcome."""
    if verdict.status is Status.PASSED:
        return "✓", "green"
    if verdict.status is Status.ERROR:
        return "!", "magenta"
    return ("⧗", "yellow") if verdict.cause is Cause.TIMEOUT else ("✗", "red")


def indented(text: str, indent: int, style: str = "") -> Padding:
    """Text from a report, made inert, indented by `indent` on every line, wrapped ones too."""
    return Padding(Text(display_text(text), style=style), (0, 0, 0, indent), expand=False)


def _rows(text: str, last: int) -> list[str]:
    """The last `last` lines of multi-line text (a traceback, output), made inert."""
    return display_text(text).rstrip().splitlines()[-last:]


def _detail(verdict: Verdict) -> list[RenderableType]:
    """The failing check's parts (graders.render.plain.failure_parts), indented under its mark."""
    mark_, colour = mark(verdict)
    title, *parts = failure_parts(verdict)
    lines: list[RenderableType] = [
        Text.assemble(("      ", ""), (f"{mark_} ", colour), (title.text, "bold"))
    ]
    for part in parts:
        style = STYLES.get(part.kind, "")
        if part.kind == TRACEBACK:
            lines.append(indented(f"{part.label}:", 8, style))
            lines += [indented(f"| {row}", 8, style) for row in part.text.splitlines()]
        else:
            lines.append(indented(part.plain(), 8, style))
    return lines


def _question(result: QuestionResult, loaded: bool) -> list[RenderableType]:
    if result.errored:
        symbol, colour, points = "!", "magenta", "not graded"
    elif result.pending:
        symbol, colour = "?", "yellow"
        points = f"format OK, graded at submission (–/{result.max_points:g})"
    else:
        symbol, colour = ("✓", "green") if result.passed else ("✗", "red")
        points = f"{result.points:g}/{result.max_points:g}"
    head = Text.assemble(
        (f" {symbol} ", colour),
        (f"Q{result.number:<3}", "bold"),
        (f"{display_text(result.title, multiline=False):<62} ", ""),
        points,
    )
    failure = result.first_failure if loaded else None  # the load error is said once, on top
    lines = [head, *(_detail(failure) if failure else [])]
    shown = {failure.misconception_name, *failure.also_names} if failure else set()
    others = [name for name in result.mistake_names if name not in shown]
    if failure and others:  # every mistake recognised in the question is named somewhere
        lines.append(Text(f"        other checks also recognised: {'; '.join(others)}", "cyan"))
    return lines


def render_terminal(report: Report) -> Group:
    """A rich renderable: header, one line per question (+ details of its first failure), total."""
    header = Text.assemble(
        ("dlgrade ", "bold"),
        display_text(
            f"{report.title} · {report.submission} · isolation: {report.isolation}",
            multiline=False,
        ),
        no_wrap=True,
        overflow="ellipsis",
    )
    lines: list[RenderableType] = [header]
    if report.mode == "student":
        lines.append(
            Text("Public checks only: hidden checks also run when your work is graded.", "yellow")
        )
    if report.fault:
        lines.append(Text("NOT GRADED: a fault of dlgrade or this machine:", "bold magenta"))
        lines.append(indented(report.fault, 2, "magenta"))
    if report.load_error:
        head, _, trace = report.load_error.partition("\n")
        lines.append(Text("Your submission did not load:", "bold red"))
        lines.append(indented(head, 2, "red"))
        lines += [indented(f"| {row}", 2, "dim") for row in _rows(trace, 8)]
    for result in report.questions:
        lines.extend(_question(result, loaded=not report.load_error and not report.fault))
    if "accuracy" in report.metrics:
        accuracy, threshold = report.metrics["accuracy"], report.metrics.get("threshold", 0.0)
        met = accuracy >= threshold
        lines.append(
            Text.assemble(
                ("Test accuracy ", "bold"),
                (f"{accuracy:.2%}", "green" if met else "red"),
                f" (threshold {threshold:.1%})",
            )
        )
    lines.append(_total(report))
    if report.advice:
        lines.append(indented(report.advice, 0))
    if report.isolation_detail:
        lines.append(indented(f"isolation: {report.isolation_detail}", 0, "dim"))
    lines += [indented(f"note: {note}", 2, "dim") for note in report.notes]
    output = display_text(report.output)
    if output.strip():
        lines.append(
            Text("Your code printed (first lines, shown for information, never scored):", "dim")
        )
        lines += [indented(row, 2, "dim") for row in output.splitlines()[:10]]
    return Group(*lines)


def _total(report: Report) -> Text:
    """The closing line: the score and PASS or FAIL, or why there is no grade."""
    if not report.graded:
        return Text.assemble(
            ("Score ", "bold"),
            ("not graded", "bold magenta"),
            f": {len(report.errors)} fault(s) of ours, listed above; nothing was counted against "
            "you. Fix the cause, or report it, and grade again.",
        )
    verdict = ("PASS", "bold green") if report.passed else ("FAIL", "bold red")
    if not report.passed and report.score + report.pending_points >= report.pass_mark:
        verdict = ("UNDECIDED", "bold yellow")  # the unchecked points decide it
    pending = ""
    if report.pending_points:
        pending = (
            f"; {report.pending_points:g} point(s) could not be checked here and are graded "
            "when you submit"
        )
    return Text.assemble(
        ("Score ", "bold"),
        f"{report.score:g}/{report.max_score:g} ",
        verdict,
        f"  (pass mark {report.pass_mark:g}{pending}) · {report.seconds:.2f} s",
    )


def print_report(report: Report, console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(render_terminal(report))
