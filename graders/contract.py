"""Function contracts: everything dlgrade knows about one gradable function, in one place.

An assignment's `contracts.py` declares, for each function a student writes:

    relu = Function(
        "relu(z)",
        doc="Return max(z, 0) element-wise.",
        inputs=arguments(z=arrays()),
        examples=(Example((np.array([-3.0, 0.0, 2.5]),), [0.0, 0.0, 2.5]), ...),
        examples_title="relu gives max(0, z) on hand-worked examples",
        mistakes=(Mistake("relu_abs", "absolute value instead of ReLU", "...", np.abs), ...),
        diagnostic=((Z,),),
    )

and, for what a single call's output must satisfy, properties:

    def rows_sum_to_one(p, z):
        '''Each row of softmax(z) is a probability distribution'''
        ...raise Fail("rows of softmax(z) should sum to 1; ...")

    softmax_rows = Property(softmax, rows_sum_to_one, inputs=moderate_logits)

Checks are derived from these declarations (graders.checks.derive): the hand-worked
examples and the public properties ship to students; the comparison with the reference
and the properties declared in the assignment's `hidden.py` do not. A known mistake is
a wrong implementation with its name and hint: when a student's function agrees with it
on the diagnostic inputs, the verdict names the mistake (graders.checks.diagnose), and
`dlgrade validate` proves that each one loses exactly its own question.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graders.strategies import Deferred, st

VISIBILITIES = ("public", "hidden")
RETURNS = ("array", "number")
SIGNATURE = re.compile(r"([A-Za-z_]\w*)\((\s*[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)?\s*\)")


class Fail(Exception):
    """A property does not hold; the message is written for the student.

    `mistake` names a known mistake the property itself recognised (dropout's statistics
    tell "p taken as the keep probability" apart without comparing values).
    """

    def __init__(
        self, message: str, *, hint: str = "", mistake: str = "", counterexample: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.mistake = mistake
        self.counterexample = counterexample


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation: what students write, its name, and how to fix it.

    `code` is the wrong implementation as Python source: either a whole `def` of the
    function, or, for a one-liner, the expression it returns in terms of the parameters
    ("np.minimum(z, 0)"). As source, it can be shown, put into a template as the code to
    fix, and swapped into the reference by `dlgrade validate` to prove it is caught.
    """

    id: str  # "softmax_no_max_shift": stable, used in gradebooks and class reports
    name: str  # "softmax without subtracting the row max (overflow)": what students read
    hint: str  # what to try
    code: str = ""  # the wrong implementation ("" when a property recognises it instead)

    def source(self, function: Function) -> str:
        """The mistake as a complete `def` of the contract's function."""
        if self.code.lstrip().startswith("def "):
            return textwrap.dedent(self.code).strip() + "\n"
        return f"def {function.signature}:\n    return {self.code.strip()}\n"

    def compiled(self, function: Function) -> Callable[..., Any]:
        """The wrong implementation as a function (NumPy available as np)."""
        namespace: dict[str, Any] = {"np": np}
        exec(compile(self.source(function), f"<mistake {self.id}>", "exec"), namespace)  # noqa: S102 - the instructor's own code
        return namespace[function.name]


@dataclass(frozen=True)
class Example:
    """A hand-worked call: the arguments and the answer, worked out by a person."""

    args: tuple[Any, ...]
    expected: Any


@dataclass(frozen=True)
class Tolerance:
    """How close a value must be: float32 inputs get float32's looser bounds."""

    rtol: float = 1e-6
    atol: float = 1e-9
    rtol32: float = 1e-4
    atol32: float = 1e-6


@dataclass(frozen=True, eq=False)
class Function:
    """The contract of one function a student writes."""

    signature: str  # "softmax(z)": the name the grader calls and its parameters, in order
    doc: str  # one line, the formula: the stub's docstring in the template
    inputs: Deferred  # generated arguments, a tuple per call
    returns: str = "array"  # "array" (same-shape values) or "number" (one float)
    examples: tuple[Example, ...] = ()
    examples_title: str = ""  # the public examples check's title
    reference_title: str = ""  # the hidden comparison's title
    mistakes: tuple[Mistake, ...] = ()
    diagnostic: tuple[tuple[Any, ...], ...] = ()  # inputs on which the mistakes differ
    tolerance: Tolerance = field(default_factory=Tolerance)
    starter: str = ""  # for a "fix" question: the id of the mistake students start from
    reference_examples: int = 20  # generated inputs compared with the reference
    compare_with_reference: bool = True  # False where many outputs are right (random masks)
    wrong: dict[str, Callable[..., Any]] = field(init=False, repr=False)  # mistakes, compiled

    def __post_init__(self) -> None:
        if not SIGNATURE.fullmatch(self.signature):
            raise ValueError(f"signature {self.signature!r} is not of the form name(a, b)")
        if self.returns not in RETURNS:
            raise ValueError(f"{self.name}: returns={self.returns!r} is not one of {RETURNS}")
        for example in self.examples:
            if len(example.args) != len(self.params):
                raise ValueError(
                    f"{self.name}: an example has {len(example.args)} arguments; "
                    f"{self.signature} takes {len(self.params)}"
                )
        ids = [m.id for m in self.mistakes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.name}: mistake ids repeat: {ids}")
        if self.starter and self.starter not in ids:
            raise ValueError(f"{self.name}: starter {self.starter!r} is not one of its mistakes")
        compiled = {}
        for mistake in self.mistakes:
            if mistake.code:
                try:
                    compiled[mistake.id] = mistake.compiled(self)
                except Exception as error:
                    raise ValueError(f"{self.name}: mistake {mistake.id}'s code: {error}") from None
        object.__setattr__(self, "wrong", compiled)  # compiled once: diagnosis runs them often

    def mistake(self, mistake_id: str) -> Mistake:
        return next(m for m in self.mistakes if m.id == mistake_id)

    def stub(self, label: str) -> str:
        """What the template gives students for question `label` ("Q3"): the starter
        mistake's code for a question that asks to fix it, else a stub to write."""
        if self.starter:
            body = self.mistake(self.starter).source(self).split("\n", 1)[1]
            return f'def {self.signature}:\n    """{self.doc}"""\n{body}'
        return (
            f'def {self.signature}:\n    """{self.doc}"""\n'
            f'    raise NotImplementedError("{label}: write {self.name}")\n'
        )

    @property
    def name(self) -> str:
        return self.signature.split("(", 1)[0]

    @property
    def params(self) -> tuple[str, ...]:
        inside = self.signature.split("(", 1)[1].rstrip(")")
        return tuple(p.strip() for p in inside.split(",") if p.strip())


@dataclass(frozen=True, eq=False)
class Property:
    """What every output of a function must satisfy, checked on generated or fixed inputs.

    `verify(output, *args)` raises Fail when the property does not hold; the first line
    of its docstring is the check's title, and its name the check's:
    `check_<function>_<verify name>`. With `joint=True` it is instead called once as
    `verify(outputs, cases)` with every fixed case's output (a property of several calls,
    such as "the same seed gives the same mask").
    """

    of: Function
    verify: Callable[..., None]
    inputs: Deferred | None = None  # default: the function's own
    cases: tuple[tuple[Any, ...], ...] = ()  # fixed inputs instead of generated ones
    visibility: str = "public"
    examples: int = 20
    joint: bool = False
    called: str = ""  # the property's name in its check's name; default: verify's name

    def __post_init__(self) -> None:
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"{self.name}: visibility {self.visibility!r}")
        if self.joint and not self.cases:
            raise ValueError(f"{self.name}: a joint property needs fixed cases")
        if not (self.verify.__doc__ or "").strip():
            raise ValueError(f"{self.name}: its verify function needs a docstring (the title)")

    @property
    def name(self) -> str:
        return f"check_{self.of.name}_{self.called or self.verify.__name__}"

    @property
    def strategy(self) -> Deferred:
        return self.inputs if self.inputs is not None else self.of.inputs


def arguments(**strategies: Deferred) -> Deferred:
    """Independent arguments, in order: `arguments(z=arrays())` draws `(z,)`."""
    return st.tuples(*strategies.values())
