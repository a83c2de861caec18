"""The pieces every check is built from: what a check may ask of a submission, showing
values to students, comparing replies, and proving a property on generated inputs.

A check raises `Fail` when its property does not hold. Student exceptions
(`StudentError`) and sandbox stops propagate to `graders.grading`, which turns every
outcome into a `Verdict`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from graders.contract import Fail, Tolerance
from graders.sandbox.errors import SandboxStop, StudentError


class Student(Protocol):
    """What a check may do with a submission: call a function, read a name."""

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any: ...

    def map(
        self,
        name: str,
        calls: Sequence[tuple[Any, ...]],
        until: Callable[[tuple[Any, ...], Any], bool] | None = None,
    ) -> list[Any]:
        """Call `name` once per argument tuple, in order, as one request where it can.

        Each outcome is the reply or the StudentError the call raised. The list stops at
        the first outcome `until(args, outcome)` flags; a hang or a crash before that
        raises its SandboxStop, exactly as `call` would have.
        """
        ...

    def get(self, name: str) -> Any: ...

    def put_array(self, name: str, array: np.ndarray) -> Any:
        """Hand over a large array as a file the child memory-maps (copy-on-write)."""
        ...

    def peak_memory_mb(self) -> float:
        """The most memory the child has held so far, in MiB."""
        ...


@dataclass
class Context:
    """What a project check may use besides the student: the source, data, budgets, and
    where its pictures and metrics go (into the report). One per graded submission."""

    data_dir: str | None = None  # where the MNIST files are (None: search the usual places)
    train_seconds: float | None = None  # overrides the spec's training budget
    train_limit: int | None = None  # train on the first N samples only (quick runs, tests)
    progress: list[tuple[int, float]] = field(default_factory=list)  # report(step, loss) calls
    figures: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


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


def show_inputs(names: Sequence[str], args: Sequence[Any]) -> str:
    """`z = [1., 2.]; n_classes = 3`: a call's inputs, as a counterexample."""
    return "; ".join(f"{n} = {show(a)}" for n, a in zip(names, args, strict=True))


def show_call(function: str, names: Sequence[str], args: Sequence[Any]) -> str:
    """`softmax(z) with z = [...]`: a call and its inputs."""
    return f"{function}({', '.join(names)}) with {show_inputs(names, args)}"


# -- comparing ----------------------------------------------------------------------


def as_array(value: Any, what: str) -> np.ndarray:
    """The student's reply as a numeric array, or a Fail saying what it was instead."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, list, dict)):
        raise Fail(
            f"{what} returned {type(value).__name__} {show(value)[:80]}, not a NumPy array",
            hint="Return a NumPy array (np.ndarray) of floats.",
        )
    array = np.asarray(value) if isinstance(value, (int, float)) else value
    if not isinstance(array, np.ndarray):
        kind = getattr(value, "type", "") or type(value).__name__  # a Handle names its type
        raise Fail(f"{what} returned a {kind} object, not a NumPy array",
                   hint="Return the array you built: check the `return` line.")  # fmt: skip
    return array


def as_number(value: Any, what: str) -> float:
    """The student's reply as a Python float, accepting 0-d and 1-element arrays."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
        raise Fail(
            f"{what} returned {type(value).__name__} {show(value)[:80]}, not a number",
            hint="Return a single float, e.g. float(np.mean(...)).",
        )
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise Fail(
                f"{what} returned an array of shape {value.shape}, not a single number",
                hint="Reduce over every element (np.mean with no axis) to get one number.",
            )
        return float(value.reshape(()))
    return float(value)


def bounds(tolerance: Tolerance, args: Sequence[Any]) -> tuple[float, float]:
    """(rtol, atol): float32 inputs are compared with float32's precision."""
    single = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
    if single:
        return tolerance.rtol32, tolerance.atol32
    return tolerance.rtol, tolerance.atol


def shape_clue(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """What a wrong shape usually means, as a short aside ("" when nothing obvious)."""
    if not got and expected:
        return " (one number instead of an array: a sum or a mean, or the wrong value returned?)"
    if len(got) == 2 and got == expected[::-1]:
        return " (the transpose: rows and columns swapped?)"
    if len(got) < len(expected) and set(got) <= set(expected):
        return " (an axis of length 1 dropped, e.g. by np.squeeze or a missing keepdims?)"
    return ""


def expect_close(
    actual: Any,
    expected: Any,
    what: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    counterexample: str = "",
) -> np.ndarray:
    """Fail unless `actual` is an array of `expected`'s shape whose values match it."""
    expected = np.asarray(expected, dtype=np.float64)
    array = as_array(actual, what)
    if array.shape != expected.shape:
        raise Fail(
            f"{what} should have shape {expected.shape}; yours has shape {array.shape}"
            f"{shape_clue(array.shape, expected.shape)}",
            counterexample=counterexample,
        )
    if array.dtype.kind not in "biuf":
        raise Fail(f"{what} returned dtype {array.dtype}; expected numbers")
    got = array.astype(np.float64)
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise Fail(
            f"{what} contains {got[where]} at index {where}; every entry should be finite",
            counterexample=counterexample,
        )
    if not np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        with np.errstate(invalid="ignore"):
            error = np.abs(got - expected)
        where = tuple(int(i) for i in np.unravel_index(np.nanargmax(error), error.shape))
        raise Fail(
            f"{what} is wrong at index {where}: got {got[where]:.6g}, expected "
            f"{expected[where]:.6g}. Full output: {show(array)}",
            counterexample=counterexample,
        )
    return got


def expect_number(
    actual: Any, expected: float, what: str, *, rtol: float, atol: float, counterexample: str = ""
) -> float:
    """Fail unless `actual` is one number close to `expected`."""
    got = as_number(actual, what)
    if not np.isclose(got, expected, rtol=rtol, atol=atol):
        raise Fail(
            f"{what} returned {got:.6g}; expected {expected:.6g}", counterexample=counterexample
        )
    return got


# -- outcomes of calls -------------------------------------------------------------------


def reply_of(outcome: Any) -> Any:
    """The reply inside a call's outcome (see Student.map), raising what the call raised."""
    if isinstance(outcome, (StudentError, SandboxStop)):
        raise outcome
    return outcome


def call_with(student: Student, function: str, names: Sequence[str], args: Sequence[Any]) -> Any:
    """Call the student's function; a student exception carries the inputs that caused it."""
    try:
        return student.call(function, *args)
    except StudentError as error:
        error.counterexample = show_call(function, names, args)
        error.inputs = tuple(args)
        raise


def seed_of(key: str) -> int:
    """A stable seed for the inputs of the check named `key`: same name, same inputs."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


Verify = Callable[[tuple[Any, ...], Any], None]
