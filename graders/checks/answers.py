"""Public checks for the predict and concept questions: is the answer of the right form?"""

from __future__ import annotations

from typing import Any

from graders.checks.core import CheckFailed, Student, show
from graders.spec import Spec


def fetch(student: Student, answer: str) -> Any:
    """The student's value for `answer`, failing plainly when it is still None."""
    value = student.get(answer)
    if value is None:
        raise CheckFailed(
            f"{answer} is still None",
            hint=f"Replace `{answer} = None` with your answer.",
        )
    return value


def check_answer_is_number(student: Student, answer: str) -> None:
    """{answer} is a number"""
    value = fetch(student, answer)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CheckFailed(
            f"{answer} is {show(value)[:60]} (a {type(value).__name__}); it should be a number",
            hint=f"Write it as a plain number, e.g. `{answer} = 1.5`.",
        )


def letter(value: Any, answer: str, spec: Spec) -> str:
    """The answer as one capital letter among the question's options."""
    options = spec.answers[answer]["options"]
    if not isinstance(value, str) or value.strip().upper() not in options:
        raise CheckFailed(
            f"{answer} is {show(value)[:60]}; it should be one letter: {', '.join(options)}",
            hint=f'Write the letter as a string, e.g. `{answer} = "{options[0]}"`.',
        )
    return value.strip().upper()


def check_answer_is_letter(student: Student, answer: str, spec: Spec) -> None:
    """{answer} is one of the offered letters"""
    letter(fetch(student, answer), answer, spec)
