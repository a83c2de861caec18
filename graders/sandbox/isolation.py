"""One place decides how a submission is isolated: the levels, their order, and the canary.

Every command that grades calls `choose`. A level is trusted only after its canary passed:
the real interpreter started at that level imports what the assignment needs (NumPy, and
PyTorch for the torch tracks) and answers one call. `auto` takes the strongest level whose
canary passes and says in the report why it did not take a stronger one; a level asked for
by name is used as it is or not at all. A failed canary is a fault of ours (GraderFault),
never a grade.

Adding a level (say `uid`: an unprivileged uid and seccomp, for containers that forbid
namespaces) is one entry in LEVELS: its name, how to create its launcher, and whether it
confines code its user does not trust.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graders.sandbox.errors import GraderFault, LoadFailed, SandboxStop, StudentError
from graders.sandbox.jail import JailLauncher
from graders.sandbox.launch import Launcher, ProcessLauncher, Unavailable

if TYPE_CHECKING:  # the runner imports NumPy: only the canary needs it, not the CLI's parser
    from graders.sandbox.runner import Limits, Sandbox
    from graders.spec import Spec

ENV_VAR = "DLGRADE_ISOLATION"
AUTO = "auto"


@dataclass(frozen=True)
class Level:
    """An isolation level: its name, its launcher factory, and whom it protects against."""

    name: str
    create: Callable[[int | None], Launcher]  # raises Unavailable where it cannot run
    confines_untrusted: bool  # safe for code the grader's user does not trust (a class)
    fix: str  # what to do when it cannot run here


# Strongest first: `auto` tries them in this order.
LEVELS: tuple[Level, ...] = (
    Level(
        "jail",
        JailLauncher.create,
        True,
        "`dlgrade doctor` says what the jail lacks here (bubblewrap, user namespaces, a Python "
        "the sandbox uid can reach); or grade with --isolation process (no filesystem or "
        "network isolation)",
    ),
    Level(
        "process",
        ProcessLauncher.create,
        False,
        "check that this Python can import NumPy (and PyTorch for the torch tracks)",
    ),
)
NAMES: tuple[str, ...] = (AUTO, *(level.name for level in LEVELS))


def level_name(text: str) -> str:
    """An isolation level's name as given on the command line or in $DLGRADE_ISOLATION."""
    if text not in NAMES:
        raise argparse.ArgumentTypeError(
            f"unknown isolation level {text!r} (from --isolation or ${ENV_VAR}); "
            f"choose one of {', '.join(NAMES)}"
        )
    return text


def requested() -> str:
    """The level asked for by $DLGRADE_ISOLATION, else `auto`: the default of --isolation."""
    return os.environ.get(ENV_VAR, "").strip() or AUTO


@dataclass(frozen=True)
class Needs:
    """What the child's Python must be able to do for an assignment."""

    modules: tuple[str, ...] = ("numpy",)
    limits: Limits | None = None  # the assignment's limits (None: the defaults)

    @classmethod
    def of(cls, spec: Spec, limits: Limits | None = None) -> Needs:
        """The needs of an assignment: NumPy, PyTorch for torch tracks, under its limits."""
        from graders.sandbox.runner import Limits

        torch = spec.training.get("framework") == "torch"
        return cls(("numpy", "torch") if torch else ("numpy",), limits or Limits(**spec.limits))


@dataclass(frozen=True)
class Canary:
    """How the canary fared at one level: `problem` is empty when it passed."""

    level: str
    needs: Needs
    problem: str = ""
    seconds: float = 0.0
    launcher: Launcher | None = None  # the level's launcher, when it could be created

    @property
    def passed(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Choice:
    """The launcher to grade with, and a note for the report when `auto` fell back."""

    launcher: Launcher
    note: str = ""


def _level(name: str) -> Level:
    return next(level for level in LEVELS if level.name == level_name(name))


def canary_source(modules: tuple[str, ...]) -> str:
    """The canary's code: import what the assignment needs, then answer one call."""
    imports = "".join(f"import {module}\n" for module in modules)
    return f"{imports}\ndef answer(x):\n    return x * 2 + 1\n"


def _said(box: Sandbox, failure: LoadFailed) -> str:
    """The last line the child (or the launcher) wrote, or the load failure's reason."""
    lines = [line for line in failure.traceback.splitlines() if line.strip()]
    output = bytes(box.output).decode("utf-8", "replace").strip().splitlines()
    for candidate in (lines, output):
        if candidate:
            return candidate[-1].strip()[:300]
    return failure.reason[:300]


@functools.cache
def canary(name: str, needs: Needs) -> Canary:
    """Start the real interpreter at level `name`, import `needs.modules`, answer one call.

    Cached for the life of the process: it costs about one child start (about 0.1 s with
    NumPy, 1 s with PyTorch).
    """
    import numpy as np

    from graders.sandbox.runner import Chunk, Code, Limits, Sandbox

    level = _level(name)
    started = time.perf_counter()
    try:
        launcher = level.create(None)
    except Unavailable as error:
        return Canary(name, needs, f"{error}", time.perf_counter() - started)
    # Generous limits: a slow start on a busy machine is not the failure this looks for.
    limits = needs.limits or Limits()
    limits = dataclasses.replace(
        limits,
        load_seconds=max(limits.load_seconds, 120.0),
        call_seconds=max(limits.call_seconds, 30.0),
    )
    code = Code("dlgrade_canary", (Chunk("dlgrade_canary.py", canary_source(needs.modules)),))
    box = Sandbox(code, limits, launcher)
    python = sys.executable
    problem = ""
    try:
        with box:
            try:
                box.ensure_loaded()
            except LoadFailed as failure:
                said = _said(box, failure)
                if failure.traceback:
                    problem = (
                        f"the {name} level's Python ({python}) cannot import "
                        f"{', '.join(needs.modules)}: {said}"
                    )
                else:
                    problem = f"the {name} level cannot start Python at {python}: {said}"
            else:
                answer = box.call("answer", np.arange(3.0))
                if not np.array_equal(answer, [1.0, 3.0, 5.0]):
                    problem = f"the {name} level's Python answered {answer!r} instead of [1, 3, 5]"
    except OSError as error:
        problem = f"the {name} level cannot start Python at {python}: {error}"
    except (SandboxStop, StudentError) as error:
        problem = f"the {name} level's Python did not answer a call: {error}"
    return Canary(name, needs, problem, time.perf_counter() - started, launcher)


def choose(
    requested: str = AUTO,
    needs: Needs | None = None,
    *,
    untrusted: bool = False,
) -> Choice:
    """The launcher to grade with; GraderFault when the level asked for cannot be used.

    `requested` is a level's name or `auto`: the strongest level whose canary passes.
    `untrusted=True` (class grading, platforms) lets `auto` choose only levels that confine
    code the grader's user does not trust; a level named explicitly is always obeyed.
    """
    needs = needs or Needs()
    if requested != AUTO:
        level = _level(requested)
        result = canary(level.name, needs)
        if result.launcher is None or not result.passed:
            raise GraderFault(
                "isolation",
                f"isolation '{level.name}' cannot be used here: {result.problem}; {level.fix}",
            )
        return Choice(result.launcher)
    skipped = []
    for level in LEVELS:
        if untrusted and not level.confines_untrusted:
            break
        result = canary(level.name, needs)
        if result.launcher is not None and result.passed:
            note = "; ".join(skipped)
            if note:
                note = f"graded at isolation '{level.name}' because {note}"
            return Choice(result.launcher, note)
        skipped.append(f"'{level.name}' failed its check ({result.problem})")
    weaker = [level.name for level in LEVELS if not level.confines_untrusted]
    if untrusted and skipped:
        raise GraderFault(
            "isolation",
            f"no isolation level safe for untrusted code works here: {'; '.join(skipped)}. "
            f"Fix that ({LEVELS[0].fix}), or grade with --isolation {weaker[0]} "
            "(no filesystem or network isolation: only for code you trust)",
        )
    raise GraderFault("isolation", f"no isolation level works here: {'; '.join(skipped)}")
