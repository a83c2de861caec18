"""Plain-text pieces of a report dict (Report.to_dict()): exports, Gradescope, pytest."""

from __future__ import annotations

from typing import Any


def check_details(check: dict[str, Any]) -> list[str]:
    """Message, counterexample, hint (and the student's traceback) of a check, as lines."""
    lines = [str(check["message"])] if check.get("message") else []
    if check.get("counterexample"):
        lines.append(f"Counterexample: {check['counterexample']}")
    if check.get("hint"):
        lines.append(f"Hint: {check['hint']}")
    if check.get("traceback"):
        lines.append(str(check["traceback"]))
    return lines


def failure_text(check: dict[str, Any]) -> str:
    """What a student sees about a failed check: status and title, then its details."""
    return "\n".join([f"{check['status'].upper()}: {check['title']}", *check_details(check)])


def number(value: float) -> str:
    """A score as short text: 12, 0.5, 2.25 (at most 4 decimals)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
