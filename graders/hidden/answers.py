"""Hidden check for the predict and concept questions: is the answer right?"""

from __future__ import annotations

import math

from graders.checks.answers import fetch, letter
from graders.checks.core import CheckFailed, Student, as_number
from graders.spec import Spec
from reference import answers


def check_answer_is_correct(student: Student, answer: str, spec: Spec) -> None:
    """{answer} is correct"""
    key = spec.answers[answer]
    value = fetch(student, answer)
    if key["kind"] == "letter":
        given, right = letter(value, answer, spec), getattr(answers, answer)
        same = given == right
    else:
        given = as_number(value, answer)
        # A tolerance so that 1 - 1e-4 and 0.9999 are the same answer.
        same = math.isclose(given, getattr(answers, answer), rel_tol=1e-6, abs_tol=1e-9)
    if same:
        return
    mistake = next(
        (
            w["misconception"]
            for w in key.get("wrong", ())
            if w["value"] == given
            or (isinstance(given, float) and math.isclose(given, w["value"], rel_tol=1e-6))
        ),
        "",
    )
    raise CheckFailed(f"{answer} = {given!r} is not right", misconception=mistake)
