"""The pieces every check is built from: failing with a message, comparing arrays,
running a seeded hypothesis property, and recognising a known wrong implementation.

A check is a function `check_<function>_<property>(student, **args)` whose
docstring's first line is the title students see. It returns None when the
property holds and raises `CheckFailed` when it does not. Student exceptions
(`StudentError`) and sandbox stops propagate to `graders.grading`, which turns
every outcome into a `Verdict`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from graders.sandbox.errors import StudentError


class Student(Protocol):
    """What a check may do with a submission: call a function, read a name."""

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any: ...

    def get(self, name: str) -> Any: ...

    def put_array(self, name: str, array: np.ndarray) -> Any:
        """Hand over a large array as a file the child memory-maps (copy-on-write)."""
        ...


@dataclass
class Context:
    """What a project check may use besides the student: the source, data, budgets, and
    where its pictures and metrics go (into the report). One per graded submission."""

    sources: tuple[str, ...] = ()  # the submission's code, for static checks
    data_dir: str | None = None  # where the MNIST files are (None: search the usual places)
    train_seconds: float | None = None  # overrides the spec's training budget
    train_limit: int | None = None  # train on the first N samples only (quick runs, tests)
    progress: list[tuple[int, float]] = field(default_factory=list)  # report(step, loss) calls
    figures: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


class CheckFailed(Exception):
    """The property does not hold; the message is written for the student."""

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        function: str = "",
        misconception: str = "",
        counterexample: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.function = function  # whose known mistakes to look for
        self.misconception = misconception
        self.counterexample = counterexample


# -- showing values to students ---------------------------------------------------------


def show(value: Any) -> str:
    """A short, readable rendering of an input or output."""
    if isinstance(value, np.ndarray):
        text = np.array2string(
            value, precision=4, threshold=24, edgeitems=3, separator=", ", max_line_width=10_000
        ).replace("\n", "")  # one line: rows stay readable as [[...], [...]]
        kind = "" if value.dtype == np.float64 else f", dtype={value.dtype}"
        return f"array({text}{kind})" if kind else text
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


@dataclass(frozen=True)
class Inputs:
    """A call's named inputs, rendered for the student only if the check fails
    (rendering every generated input would cost more than the check itself)."""

    names: tuple[str, ...]
    values: tuple[Any, ...]

    def __str__(self) -> str:
        return "; ".join(f"{n} = {show(v)}" for n, v in zip(self.names, self.values, strict=True))


def show_call(function: str, names: Sequence[str], args: Sequence[Any]) -> str:
    """`softmax(z)` with its inputs listed, e.g. for a counterexample."""
    lines = [f"{n} = {show(a)}" for n, a in zip(names, args, strict=True)]
    return f"{function}({', '.join(names)}) with " + "; ".join(lines)


# -- comparing ----------------------------------------------------------------------


def as_array(value: Any, what: str) -> np.ndarray:
    """The student's reply as a float array, or a CheckFailed saying what it was instead."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, list, dict)):
        raise CheckFailed(
            f"{what} returned {type(value).__name__} {show(value)[:80]}, not a NumPy array",
            hint="Return a NumPy array (np.ndarray) of floats.",
        )
    array = np.asarray(value) if isinstance(value, (int, float)) else value
    if not isinstance(array, np.ndarray):
        raise CheckFailed(f"{what} returned a {type(value).__name__}, not a NumPy array")
    return array


def as_number(value: Any, what: str) -> float:
    """The student's reply as a Python float, accepting 0-d and 1-element arrays."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
        raise CheckFailed(
            f"{what} returned {type(value).__name__} {show(value)[:80]}, not a number",
            hint="Return a single float, e.g. float(np.mean(...)).",
        )
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise CheckFailed(
                f"{what} returned an array of shape {value.shape}, not a single number",
                hint="Reduce over every element (np.mean with no axis) to get one number.",
            )
        return float(value.reshape(()))
    return float(value)


def expect_close(
    actual: Any,
    expected: np.ndarray,
    what: str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    function: str = "",
    inputs: Inputs | str = "",
) -> np.ndarray:
    """Fail unless `actual` is an array of `expected`'s shape whose values match it."""
    array = as_array(actual, what)
    if array.shape != expected.shape:
        raise CheckFailed(
            f"{what} should have shape {expected.shape}; yours has shape {array.shape}",
            function=function,
            counterexample=str(inputs),
        )
    if array.dtype.kind not in "biuf":
        raise CheckFailed(f"{what} returned dtype {array.dtype}; expected numbers")
    got = array.astype(np.float64)
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise CheckFailed(
            f"{what} contains {got[where]} at index {where}; every entry should be finite",
            function=function,
            counterexample=str(inputs),
        )
    if not np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        error = np.abs(got - expected)
        where = tuple(int(i) for i in np.unravel_index(np.argmax(error), error.shape))
        raise CheckFailed(
            f"{what} is wrong at index {where}: got {got[where]:.6g}, expected "
            f"{expected[where]:.6g}. Full output: {show(array)}",
            function=function,
            counterexample=str(inputs),
        )
    return got


# -- hypothesis -----------------------------------------------------------------------


def prove(test: Callable[..., None], *strategies: st.SearchStrategy, examples: int = 20) -> None:
    """Run `test` on seeded hypothesis inputs; raise the shrunk failure if it has one.

    Seeded (derandomized) with no example database, so the same submission always
    gets the same grade; no deadline, because the sandbox enforces time itself.
    """
    runner = settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        verbosity=Verbosity.quiet,
    )(given(*strategies)(test))
    runner()


def call_with(student: Student, function: str, names: Sequence[str], args: Sequence[Any]) -> Any:
    """Call the student's function; a student exception carries the inputs that caused it."""
    try:
        return student.call(function, *args)
    except StudentError as error:
        error.counterexample = show_call(function, names, args)
        raise


# -- known mistakes ---------------------------------------------------------------------


def _matches(reply: Any, wrong: Any) -> bool:
    try:
        got, bad = np.asarray(reply, dtype=np.float64), np.asarray(wrong, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if got.shape != bad.shape:
        return False
    return bool(np.allclose(got, bad, rtol=1e-5, atol=1e-7, equal_nan=True))


def recognise(
    student: Student,
    function: str,
    wrongs: dict[str, Callable[..., Any]],
    inputs: Sequence[tuple[Any, ...]],
) -> str:
    """The id of the known wrong implementation the student's function agrees with on
    every diagnostic input (raising where it raises), or "" if none does.

    At least one input must give a value: two versions that both raise on
    everything say nothing about which mistake was made."""
    replies: list[Any] = []
    for args in inputs:
        try:
            replies.append(student.call(function, *args))
        except StudentError:
            replies.append(StudentError)
    if all(reply is StudentError for reply in replies):
        return ""
    with np.errstate(all="ignore"):
        for key, wrong in wrongs.items():
            agree = True
            for args, reply in zip(inputs, replies, strict=True):
                try:
                    expected = wrong(*args)
                except Exception:
                    expected = StudentError
                if (reply is StudentError) != (expected is StudentError):
                    agree = False
                elif reply is not StudentError and not _matches(reply, expected):
                    agree = False
                if not agree:
                    break
            if agree:
                return key
    return ""
