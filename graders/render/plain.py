"""Plain-text pieces of a report: exports, Gradescope, pytest.

Each piece is for a person to read, so the submission's text in it is made inert.
"""

from __future__ import annotations

from graders.render.inert import display_text
from graders.verdict import Verdict


def check_details(check: Verdict) -> list[str]:
    """Message, counterexample, hint (and the student's traceback) of a check, as lines."""
    lines = [display_text(check.message)] if check.message else []
    if check.counterexample:
        lines.append(f"Counterexample: {display_text(check.counterexample)}")
    if check.hint:
        lines.append(f"Hint: {display_text(check.hint)}")
    if check.traceback:
        lines.append(display_text(check.traceback))
    return lines


def failure_text(check: Verdict) -> str:
    """What a student sees about a failed check: status and title, then its details."""
    title = display_text(check.title, multiline=False)
    return "\n".join([f"{check.status.value.upper()}: {title}", *check_details(check)])


def number(value: float) -> str:
    """A score as short text: 12, 0.5, 2.25 (at most 4 decimals)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
