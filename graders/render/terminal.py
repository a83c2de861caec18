"""The report for a person at a terminal, one line per question, drawn with rich."""

from __future__ import annotations

from rich.console import Console, Group
from rich.text import Text

from graders.verdict import Cause, QuestionResult, Report, Status, Verdict


def mark(verdict: Verdict) -> tuple[str, str]:
    """The symbol and colour of a check's outcome."""
    if verdict.status is Status.PASSED:
        return "✓", "green"
    if verdict.status is Status.ERROR:
        return "!", "magenta"
    return ("⧗", "yellow") if verdict.cause is Cause.TIMEOUT else ("✗", "red")


def _detail(verdict: Verdict) -> list[Text]:
    """The failing check's message, counterexample, traceback and hint, indented."""
    mark_, colour = mark(verdict)
    lines = [Text.assemble(("      ", ""), (f"{mark_} ", colour), (verdict.title, "bold"))]
    lines.append(Text(f"        {verdict.message}"))
    if verdict.counterexample and verdict.counterexample not in verdict.message:
        lines.append(Text(f"        counterexample: {verdict.counterexample}", style="dim"))
    if verdict.traceback:
        for row in verdict.traceback.rstrip().splitlines()[-8:]:
            lines.append(Text(f"        | {row}", style="dim"))
    if verdict.hint:
        lines.append(Text(f"        hint: {verdict.hint}", style="cyan"))
    return lines


def _question(result: QuestionResult, loaded: bool) -> list[Text]:
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
        (f"{result.title:<62} ", ""),
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
        f"{report.title} · {report.submission} · isolation: {report.isolation}",
    )
    lines = [header]
    if report.mode == "student":
        lines.append(
            Text("Public checks only: hidden checks also run when your work is graded.", "yellow")
        )
    if report.fault:
        lines.append(
            Text(f"NOT GRADED: a fault of dlgrade or this machine: {report.fault}", "bold magenta")
        )
    if report.load_error:
        head, _, trace = report.load_error.partition("\n")
        lines.append(Text(f"Your submission did not load: {head}", "bold red"))
        lines.extend(Text(f"  | {row}", style="dim") for row in trace.splitlines()[-8:])
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
        lines.append(Text(report.advice))
    if report.isolation_detail:
        lines.append(Text(f"isolation: {report.isolation_detail}", style="dim"))
    for note in report.notes:
        lines.append(Text(f"note: {note}", style="dim"))
    if report.output.strip():
        lines.append(
            Text("Your code printed (first lines, shown for information, never scored):", "dim")
        )
        lines.extend(Text(f"  {row}", style="dim") for row in report.output.splitlines()[:10])
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
