"""Exceptions in a student's words: what a Python error usually means in this course's code.

`AxisError: axis 1 is out of bounds for array of dimension 1` is obvious to a teacher
and opaque to a student; the sentence here says the cause ("it assumes a 2-D batch")
and what to try. The table is data: a pattern on the exception's type and message,
and the sentence, which may use the pattern's groups and the shapes of the inputs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cause:
    """One known cause: when the exception's type and message match, say `text`."""

    types: tuple[str, ...]
    pattern: str
    text: str

    def matches(self, kind: str, message: str) -> re.Match[str] | None:
        return re.search(self.pattern, message) if kind in self.types else None


CAUSES = (
    Cause(
        ("AxisError", "IndexError", "ValueError"),
        r"axis (-?\d+) is out of bounds for array of dimension (\d+)",
        "it uses axis {0}, which a {1}-D input does not have: the code assumes a batch with "
        "more dimensions. Use axis=-1 for the last axis, so 1-D and 2-D inputs both work.",
    ),
    Cause(
        ("ValueError",),
        r"operands could not be broadcast together with shapes (\S+) (\S+)",
        "it combined arrays of shapes {0} and {1} element-wise, which do not line up. A sum "
        "or max taken without keepdims=True, or a matrix stored the other way round, does "
        "this.",
    ),
    Cause(
        ("ValueError",),
        r"matmul: .*mismatch in its core dimension.*\(size (\d+) is different from (\d+)\)",
        "a matrix product's inner sizes differ ({0} and {1}). Weights are stored "
        "(out_features, in_features): check which side needs the transpose.",
    ),
    Cause(
        ("ValueError",),
        r"shapes \(([\d, ]*)\) and \(([\d, ]*)\) not aligned",
        "np.dot got shapes ({0}) and ({1}), whose inner sizes differ. Weights are stored "
        "(out_features, in_features): check which side needs the transpose.",
    ),
    Cause(
        ("ValueError",),
        r"truth value of an array with more than one element is ambiguous",
        "an `if`, `and` or `or` tested a whole array. For an element-wise choice use "
        "np.where, np.maximum or a boolean mask instead.",
    ),
    Cause(
        ("IndexError",),
        r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)",
        "it used index {0} on an axis of size {2}. Check that the array is as wide as it "
        "must be (for example n_classes columns) and that indices start at 0.",
    ),
    Cause(
        ("IndexError",),
        r"too many indices for array",
        "it indexed more dimensions than the input has: the code assumes a 2-D batch. "
        "Index with ... or use axis=-1 so 1-D inputs work too.",
    ),
    Cause(
        ("TypeError", "AttributeError"),
        r"NoneType",
        "a value was None where a number or array was expected: does a function (or a "
        "helper it calls) forget to `return` its result?",
    ),
    Cause(
        ("NameError",),
        r"name '(\w+)' is not defined",
        "`{0}` is not defined where it is used: a typo, a missing import, or a name from a "
        "notebook cell that is not part of your file?",
    ),
    Cause(
        ("ModuleNotFoundError", "ImportError"),
        r"(?:No module named '|import of )([\w.]+)",
        "the module {0} is not available when your work is graded. Use NumPy and the "
        "standard library only (and PyTorch where the assignment says so).",
    ),
    Cause(
        ("TypeError",),
        r"unsupported operand type\(s\) for (.+): '(\w+)' and '(\w+)'",
        "it applied {0} to a {1} and a {2}. Arrays arrive as NumPy arrays: convert lists "
        "with np.asarray before doing arithmetic.",
    ),
    Cause(
        ("AttributeError",),
        r"'(list|tuple|int|float)' object has no attribute '(\w+)'",
        "it called .{1} on a {0}, which has no such attribute. Convert it with np.asarray "
        "first, or use the NumPy function (np.{1}).",
    ),
    Cause(
        ("ZeroDivisionError",),
        r"",
        "it divided by zero. Check for an empty input, a count that can be 0, or p = 1.",
    ),
    Cause(
        ("RecursionError",),
        r"",
        "it calls itself without end. Check the stopping condition, or whether it calls "
        "itself by mistake instead of a helper.",
    ),
    Cause(
        ("MemoryError",),
        r"",
        "it needed more memory than the grader allows: is an intermediate array much larger "
        "than the input (an (N, N) matrix from broadcasting an (N,) against an (N, 1))?",
    ),
)


ARRAY_ATTRIBUTE = re.compile(r"'numpy\.ndarray' object has no attribute '(\w+)'")


def misspelt(message: str) -> str:
    """For an attribute a NumPy array does not have, the ones it has that look alike."""
    found = ARRAY_ATTRIBUTE.search(message)
    if found is None:
        return ""
    wanted = found.group(1)
    close = difflib.get_close_matches(wanted, [a for a in dir(np.ndarray) if a[0] != "_"])
    if not close:
        return f"NumPy arrays have no attribute .{wanted}: check the NumPy documentation."
    return f"NumPy arrays have no attribute .{wanted}; did you mean .{close[0]}?"


def explain(kind: str, message: str) -> str:
    """The likely cause of an exception, in a sentence, or "" when we cannot tell."""
    if kind == "AttributeError" and (typo := misspelt(message)):
        return typo
    for cause in CAUSES:
        found = cause.matches(kind, message)
        if found is not None:
            return cause.text.format(*found.groups())
    return ""
