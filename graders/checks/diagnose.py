"""Naming a student's mistakes: which known wrong implementations their function behaves like.

Each known mistake is a wrong implementation. On an input where it gives the same answer
as the correct function, it says nothing; the inputs where it differs are its symptoms.
A student's function shows the mistake when it gives the mistake's answer on at least one
symptom and contradicts it on none. Where the student's code raised but the mistake's
did not, the input cannot tell, so two mistakes in one function (a softmax that assumes a
2-D batch *and* forgets the max shift) are both named: the first raises on 1-D inputs,
the second overflows on 2-D ones. Mistakes are listed in the contract's order, which the
author writes from the most fundamental to the least.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graders.contract import Function
from graders.sandbox.errors import SandboxStop, StudentError
from graders.sandbox.job import Rng
from graders.sandbox.wire import WireError, decode, encode, frame, split_frame

RAISED = object()  # marks a call that raised, wherever it ran
MATCH, MISMATCH, SILENT, UNKNOWN = "match", "mismatch", "silent", "unknown"


def same(a: Any, b: Any) -> bool:
    """Two outcomes agree: both raised, or both gave the same numbers (NaN equal to NaN)."""
    if a is RAISED or b is RAISED:
        return a is b
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same(a[k], b[k]) for k in a)
        )
    try:
        left, right = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if left.shape != right.shape:
        return False
    return bool(np.allclose(left, right, rtol=1e-5, atol=1e-7, equal_nan=True))


def outcome_of(code: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """What trusted code (the reference, a known mistake) gives for `args`, or RAISED."""
    try:
        with np.errstate(all="ignore"):
            return code(*here(args))
    except Exception:
        return RAISED


def here(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Arguments as code in the grader receives them: copies of arrays (so nothing is
    changed in place) and a real Generator where the child would build one."""
    return tuple(
        np.copy(a) if isinstance(a, np.ndarray)
        else np.random.default_rng(a.seed) if isinstance(a, Rng)
        else a
        for a in args
    )  # fmt: skip


def evidence(student: Any, truth: Any, wrong: Any) -> str:
    """What one input says about one mistake.

    A mistake that gives the wrong shape is recognised by the shape alone (a gradient
    reduced to one number is that mistake whatever the number). Otherwise arrays are
    compared entry by entry, and only where the mistake gets it wrong: a
    student with two mistakes that touch different entries (relu_backward returning the
    mask, and a mask that is 1 at z == 0) still shows each on its own entries. An entry
    the student got non-finite where the mistake is finite says nothing: an overflow is
    a mistake of its own.
    """
    if same(wrong, truth):
        return SILENT  # the mistake gives the right answer here: no symptom to see
    if wrong is RAISED:
        return MATCH if student is RAISED else MISMATCH
    if student is RAISED:
        return UNKNOWN  # the student's code raised for another reason
    try:
        got, bad, right = (np.asarray(v, dtype=np.float64) for v in (student, wrong, truth))
    except (TypeError, ValueError):
        return MATCH if same(student, wrong) else MISMATCH
    if bad.shape != right.shape:  # a mistake of shape: the shape is its symptom
        return MATCH if got.shape == bad.shape else MISMATCH
    if got.shape != bad.shape:
        return MISMATCH
    with np.errstate(invalid="ignore"):
        symptoms = ~np.isclose(bad, right, rtol=1e-5, atol=1e-7, equal_nan=True)
        agrees = np.isclose(got, bad, rtol=1e-5, atol=1e-7, equal_nan=True)
    overflowed = ~np.isfinite(got) & np.isfinite(bad)
    if (symptoms & ~agrees & ~overflowed).any():
        return MISMATCH
    return MATCH if (symptoms & agrees).any() else UNKNOWN


Outcomes = Callable[..., Any] | Sequence[Any]  # code to run, or its stored outcomes


def outcomes_of(code: Outcomes, inputs: Sequence[tuple[Any, ...]]) -> Sequence[Any]:
    """What code gives on each input: run here, or as stored (a student kit's)."""
    return [outcome_of(code, args) for args in inputs] if callable(code) else code


def shown(
    mistakes: dict[str, Outcomes],
    inputs: Sequence[tuple[Any, ...]],
    student: Sequence[Any],
    truth: Sequence[Any],
) -> tuple[str, ...]:
    """The ids of the mistakes the student's outcomes show, in the contract's order."""
    found = []
    for mistake_id, wrong in mistakes.items():
        said = [
            evidence(s, t, w)
            for s, t, w in zip(student, truth, outcomes_of(wrong, inputs), strict=True)
        ]
        if MATCH in said and MISMATCH not in said:
            found.append(mistake_id)
    return tuple(found)


@dataclass(frozen=True)
class Diagnosis:
    """What the diagnostic inputs say about one function of one submission."""

    mistakes: tuple[str, ...] = ()  # known mistakes it shows, most fundamental first
    signature: str = ""  # a fingerprint of its outcomes: equal for equal wrong code
    example: str = ""  # the first diagnostic input it gets wrong, and what it returns


def signature_of(outcomes: Sequence[Any]) -> str:
    """A fingerprint of a function's outcomes on the diagnostic inputs (rounded, so code that
    computes the same thing in another order lands in the same group)."""
    digest = hashlib.sha256()
    for outcome in outcomes:
        try:
            value = np.round(np.asarray(outcome, dtype=np.float64), 4) + 0.0  # no -0.0
            digest.update(f"{value.shape}".encode() + value.tobytes())
        except (TypeError, ValueError):
            digest.update(b"raised" if outcome is RAISED else type(outcome).__name__.encode())
    return digest.hexdigest()[:16]


def example_of(function: Function, student: Sequence[Any], truth: Sequence[Any]) -> str:
    """`on z = [...] it returns [...] instead of [...]`, for the first input it gets wrong."""
    for args, got, right in zip(function.diagnostic, student, truth, strict=True):
        if not same(got, right):
            inputs = "; ".join(
                f"{n} = {show_value(a)}" for n, a in zip(function.params, args, strict=True)
            )
            returned = "it raises" if got is RAISED else f"it returns {show_value(got)}"
            expected = "an error" if right is RAISED else show_value(right)
            return f"on {inputs} {returned} instead of {expected}"
    return ""


def show_value(value: Any) -> str:
    """A short rendering of an input or an outcome."""
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, threshold=24, separator=", ").replace("\n", "")
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def diagnose(
    call_all: Callable[[Sequence[tuple[Any, ...]]], list[Any]],
    function: Function,
    truth: Outcomes,
    wrong: dict[str, Outcomes] | None = None,
) -> Diagnosis:
    """The known mistakes `function` shows in the student's code, most fundamental first,
    and a fingerprint of its outcomes for grouping the ones nobody has named yet.

    `call_all(inputs)` runs the student's function on each diagnostic input (see
    Student.map). `truth` is the reference function and `wrong` the mistakes' code (the
    contract's, by default), or their stored outcomes on the diagnostic inputs: a student
    kit carries those, not the reference nor the mistakes' code.
    """
    inputs = function.diagnostic
    if not inputs:
        return Diagnosis()
    try:
        replies = call_all(inputs)
    except SandboxStop:
        return Diagnosis()  # it hung or crashed on a diagnostic input: nothing to compare
    student = [RAISED if isinstance(r, StudentError) else r for r in replies]
    expected = outcomes_of(truth, inputs)
    mistakes = function.wrong if wrong is None else wrong
    found = ()
    if mistakes and not all(s is RAISED for s in student):
        # raising on everything says nothing about which mistake it is
        found = shown(mistakes, inputs, student, expected)
    return Diagnosis(found, signature_of(student), example_of(function, student, expected))


STORED = "diagnostic.bin"


def stored_outcomes(functions: dict[str, Function], reference: Callable[[str], Any]) -> dict:
    """What a student kit needs to name mistakes offline: for each function, the reference's
    outcomes on the diagnostic inputs (key "relu") and each mistake's ("relu/relu_abs")."""
    stored: dict[str, list[Any]] = {}
    for name, function in functions.items():
        if not function.diagnostic:
            continue
        stored[name] = list(outcomes_of(reference(name), function.diagnostic))
        for mistake_id, code in function.wrong.items():
            stored[f"{name}/{mistake_id}"] = list(outcomes_of(code, function.diagnostic))
    return stored


def write_outcomes(folder: Path, outcomes: dict[str, list[Any]]) -> Path:
    """Store outcomes (numbers, arrays, or RAISED) in the wire format: no pickle, no code."""
    blobs: list[bytes] = []
    encoded = {
        key: [{"raised": True} if o is RAISED else {"value": encode(o, blobs)} for o in values]
        for key, values in outcomes.items()
    }
    path = folder / STORED
    path.write_bytes(frame({"outcomes": encoded}, blobs))
    return path


def read_outcomes(folder: Path) -> dict[str, tuple[Any, ...]]:
    """A kit's stored outcomes by key ({} when there are none or they are unreadable)."""
    try:
        parsed = split_frame((folder / STORED).read_bytes(), 64 << 20)
    except (OSError, WireError):
        return {}
    if parsed is None:
        return {}
    header, blobs, _ = parsed

    def value(item: dict[str, Any]) -> Any:
        if item.get("raised"):
            return RAISED
        return decode(item["value"], blobs, _untagged, 1 << 24)

    try:
        return {key: tuple(value(i) for i in items) for key, items in header["outcomes"].items()}
    except (WireError, KeyError, TypeError, AttributeError):
        return {}


def _untagged(data: dict) -> Any:
    raise WireError(f"unexpected value in stored outcomes: {sorted(data)}")
