"""Checks derived from declarations: contracts, properties, answers and plain check functions.

Every check is a `Check`: a name (`check_<function>_<property>`), the title students see,
its visibility, and `run(env)`, which returns when the property holds and raises `Fail`
(or lets a StudentError or SandboxStop through) when it does not. The grader never looks
a check up by name while grading: an assignment's checks are all built when it loads.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graders.checks.core import (
    Context,
    Student,
    as_number,
    bounds,
    expect_close,
    expect_number,
    reply_of,
    show,
    show_call,
    show_inputs,
)
from graders.checks.diagnose import here
from graders.checks.prove import InputBank, prove
from graders.contract import Example, Fail, Function, Property
from graders.sandbox.errors import StudentError


@dataclass(frozen=True)
class Answer:
    """A predict or concept question's answer: a number, or one letter of the options."""

    name: str  # "Q4_ANSWER": the module-level name students set
    kind: str  # "number" or "letter"
    options: str = ""  # "ABCD" for a letter
    wrong: tuple[tuple[Any, str], ...] = ()  # (value, mistake id): known wrong answers
    tolerance: float = 1e-6  # a number within this relative distance is the same answer

    @property
    def slug(self) -> str:
        return self.name.lower()


@dataclass
class Env:
    """What a check may use while it runs: the submission, the context, the inputs bank,
    and the reference (None in a student kit, which runs public checks only)."""

    student: Student
    context: Context
    bank: InputBank
    reference: Callable[[str], Any] | None = None  # the reference's value for a name
    spec: Any = None  # the Spec, for plain check functions that ask for it
    extra: dict[str, Any] = field(default_factory=dict)  # per-run overrides of check args


@dataclass(frozen=True)
class Check:
    """One check: its name, the title students see, its visibility and how to run it."""

    name: str
    title: str
    visibility: str
    run: Callable[[Env], None]
    function: Function | None = None  # whose known mistakes to look for when it fails
    format_only: bool = False  # it judges only an answer's form, never whether it is right
    thresholded: bool = False  # it takes a `threshold` (an accuracy to reach)


# -- calling the student's function on several inputs -------------------------------------


def judge_in_order(
    student: Student,
    function: Function,
    cases: Sequence[tuple[Any, ...]],
    judges: Iterator[Callable[[Any], None]],
) -> None:
    """Run `function` on each case (one request) and judge each reply in order; raise the
    first failure: a Fail, or the StudentError with the inputs that caused it."""
    first: list[BaseException] = []

    def fails(args: tuple[Any, ...], outcome: Any) -> bool:
        judge = next(judges)
        try:
            judge(reply_of(outcome))
        except StudentError as error:
            error.counterexample = show_call(function.name, function.params, args)
            error.inputs = args
            first.append(error)
        except Fail as failed:
            first.append(failed)
        return bool(first)

    student.map(function.name, cases, until=fails)
    if first:
        raise first[0]


def as_float64(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The reference computes in float64 whatever dtype the student was given."""
    return tuple(
        a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
        for a in args
    )


def compare(function: Function, reply: Any, expected: Any, args: tuple[Any, ...]) -> None:
    """Fail unless the reply is the expected value, within the contract's tolerance."""
    rtol, atol = bounds(function.tolerance, args)
    call = f"{function.name}({', '.join(function.params)})"
    try:
        if function.returns == "number":
            expect_number(reply, float(expected), call, rtol=rtol, atol=atol)
        else:
            expect_close(reply, expected, call, rtol=rtol, atol=atol)
    except Fail as failed:
        # Shown only when it fails: rendering the inputs costs more than comparing them.
        failed.counterexample = failed.counterexample or show_inputs(function.params, args)
        raise


# -- the checks a function contract gives ------------------------------------------------


def examples_check(function: Function) -> Check:
    """The hand-worked examples: public, and the first thing a student sees fail."""

    def run(env: Env) -> None:
        def judge(example: Example) -> Callable[[Any], None]:
            return lambda reply: compare(function, reply, example.expected, example.args)

        cases = [example.args for example in function.examples]
        judge_in_order(env.student, function, cases, map(judge, function.examples))

    title = function.examples_title or f"{function.name} gives the hand-worked answers"
    return Check(f"check_{function.name}_examples", title, "public", run, function)


def reference_check(function: Function) -> Check:
    """Agreement with the reference on generated inputs: hidden (it needs the reference)."""
    name = f"check_{function.name}_matches_reference"

    def run(env: Env) -> None:
        if env.reference is None:
            raise RuntimeError(f"{name} needs the reference solution, which is not here")
        solution = env.reference(function.name)

        def one(args: tuple[Any, ...], reply: Any) -> None:
            compare(function, reply, solution(*here(as_float64(args))), args)

        prove(
            env.student,
            function.name,
            function.params,
            one,
            function.inputs,
            key=name,
            examples=function.reference_examples,
            bank=env.bank,
        )

    title = function.reference_title or f"{function.name} agrees with the reference"
    return Check(name, title, "hidden", run, function)


def property_check(prop: Property) -> Check:
    """A property: on fixed cases, jointly over fixed cases, or on generated inputs."""
    function = prop.of

    def one(args: tuple[Any, ...], reply: Any) -> None:
        try:
            prop.verify(reply, *args)
        except Fail as failed:
            failed.counterexample = failed.counterexample or show_inputs(function.params, args)
            raise

    def run(env: Env) -> None:
        if prop.joint:
            replies = [reply_of(o) for o in env.student.map(function.name, prop.cases)]
            prop.verify(replies, prop.cases)
        elif prop.cases:
            judges = (lambda reply, a=args: one(a, reply) for args in prop.cases)
            judge_in_order(env.student, function, prop.cases, judges)
        else:
            prove(
                env.student,
                function.name,
                function.params,
                one,
                prop.strategy,
                key=prop.name,
                examples=prop.examples,
                bank=env.bank,
            )

    title = inspect.getdoc(prop.verify).splitlines()[0]
    return Check(prop.name, title, prop.visibility, run, function)


# -- answers -------------------------------------------------------------------------------


def fetch(student: Student, answer: Answer) -> Any:
    """The student's value for an answer, failing plainly while it is still None."""
    value = student.get(answer.name)
    if value is None:
        raise Fail(
            f"{answer.name} is still None",
            hint=f"Replace `{answer.name} = None` with your answer.",
        )
    return value


def given_answer(answer: Answer, value: Any) -> Any:
    """The answer in its canonical form: a float, or one capital letter among the options."""
    if answer.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Fail(
                f"{answer.name} is {show(value)[:60]} (a {type(value).__name__}); "
                "it should be a number",
                hint=f"Write it as a plain number, e.g. `{answer.name} = 1.5`.",
            )
        return as_number(value, answer.name)
    letter = value.strip().upper() if isinstance(value, str) else ""
    if len(letter) != 1 or letter not in answer.options:  # "ABCD" is not a letter
        options = ", ".join(answer.options)
        raise Fail(
            f"{answer.name} is {show(value)[:60]}; it should be one letter: {options}",
            hint=f'Write the letter as a string, e.g. `{answer.name} = "{answer.options[0]}"`.',
        )
    return letter


def same_answer(answer: Answer, given: Any, right: Any) -> bool:
    if answer.kind == "number":
        return math.isclose(given, float(right), rel_tol=answer.tolerance, abs_tol=1e-9)
    return given == str(right).strip().upper()


def answer_checks(answer: Answer) -> tuple[Check, Check]:
    """The public form check and the hidden correctness check of an answer."""

    def form(env: Env) -> None:
        given_answer(answer, fetch(env.student, answer))

    def correct(env: Env) -> None:
        if env.reference is None:
            raise RuntimeError(f"the answer to {answer.name} is not here (a student kit)")
        given = given_answer(answer, fetch(env.student, answer))
        if same_answer(answer, given, env.reference(answer.name)):
            return
        mistake = next((m for v, m in answer.wrong if same_answer(answer, given, v)), "")
        raise Fail(f"{answer.name} = {given!r} is not right", mistake=mistake)

    what = "a number" if answer.kind == "number" else "one of the offered letters"
    return (
        Check(f"check_{answer.slug}_format", f"{answer.name} is {what}", "public", form,
              format_only=True),
        Check(f"check_{answer.slug}_correct", f"{answer.name} is correct", "hidden", correct),
    )  # fmt: skip


# -- plain check functions ------------------------------------------------------------------


def function_check(
    check: Callable[..., None], visibility: str, args: dict[str, Any], name: str = ""
) -> Check:
    """A check written as a function `check_x(student, **args)`; it may also ask for
    `context` and `spec`. Its docstring's first line, with {args} filled in, is the title."""
    parameters = inspect.signature(check).parameters
    unknown = set(args) - set(parameters)
    if unknown:
        raise TypeError(f"{check.__name__} takes no argument {', '.join(sorted(unknown))}")
    first = (inspect.getdoc(check) or check.__name__).splitlines()[0]
    shown = {k: v for k, v in args.items() if isinstance(v, (str, int, float))}
    title = first.format(**shown) if shown else first

    def run(env: Env) -> None:
        given = {**args, **env.extra.get(name or check.__name__, {})}
        if "context" in parameters:
            given["context"] = env.context
        if "spec" in parameters:
            given["spec"] = env.spec
        check(env.student, **given)

    return Check(name or check.__name__, title, visibility, run, thresholded="threshold" in args)
