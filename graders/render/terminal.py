"""The report for a person at a terminal, one line per question, drawn with rich."""

from __future__ import annotations

from rich.console import Console, Group
from rich.text import Text

from graders.verdict import QuestionResult, Report, Status, Verdict

MARKS = {
    Status.PASSED: ("✓", "green"),
    Status.FAILED: ("✗", "red"),
    Status.ERROR: ("!", "red"),
    Status.TIMEOUT: ("⧗", "yellow"),
}


def _detail(verdict: Verdict) -> list[Text]:
    """The failing check's message, counterexample, traceback and hint, indented."""
    mark, colour = MARKS[verdict.status]
    lines = [Text.assemble(("      ", ""), (f"{mark} ", colour), (verdict.title, "bold"))]
    lines.append(Text(f"        {verdict.message}"))
    if verdict.counterexample and verdict.counterexample not in verdict.message:
        lines.append(Text(f"        counterexample: {verdict.counterexample}", style="dim"))
    if verdict.traceback:
        for row in verdict.traceback.rstrip().splitlines()[-8:]:
            lines.append(Text(f"        | {row}", style="dim"))
    if verdict.hint:
        lines.append(Text(f"        hint: {verdict.hint}", style="cyan"))
    return lines


def _question(result: QuestionResult) -> list[Text]:
    mark, colour = ("✓", "green") if result.passed else ("✗", "red")
    points = f"{result.points:g}/{result.max_points:g}"
    head = Text.assemble(
        (f" {mark} ", colour),
        (f"Q{result.number:<3}", "bold"),
        (f"{result.title:<62} ", ""),
        points,
    )
    failure = result.first_failure
    return [head, *(_detail(failure) if failure else [])]


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
    for result in report.questions:
        lines.extend(_question(result))
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
    verdict = ("PASS", "bold green") if report.passed else ("FAIL", "bold red")
    lines.append(
        Text.assemble(
            ("Score ", "bold"),
            f"{report.score:g}/{report.max_score:g} ",
            verdict,
            f"  (pass mark {report.pass_mark:g}) · {report.seconds:.2f} s",
        )
    )
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


def print_report(report: Report, console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(render_terminal(report))
