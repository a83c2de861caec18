"""One place decides how a submission is isolated: the levels, their order, and the canary.

Every command that grades calls `choose`. A level is trusted only after its canary passed:
the real interpreter started at that level imports what the assignment needs (NumPy, and
PyTorch for the torch tracks) and answers one call. `auto` takes the strongest level whose
canary passes and says in the report why it did not take a stronger one; a level asked for
by name is used as it is or not at all. A failed canary is a fault of ours (GraderFault),
never a grade.

Adding a level is one entry in LEVELS: its name, how to create its launcher, and whether it
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
from graders.sandbox.uidlevel import UidLauncher

if TYPE_CHECKING:  # the runner imports NumPy: only the canary needs it, not the CLI's parser
    from graders.sandbox.job import Limits
    from graders.sandbox.runner import Sandbox
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
        "uid",
        UidLauncher.create,
        True,
        "grade as root, with the seccomp binding (pip install 'dlgrade[uid]') and the "
        "grader's folders closed to other users (python tools/make_grader_private.py, as root)",
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
        from graders.sandbox.job import Limits

        limits = limits or Limits(**spec.limits)
        return cls(("numpy", *limits.preload), limits)


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

    from graders.sandbox.job import Code, Limits
    from graders.sandbox.runner import Sandbox
    from graders.source import Chunk

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
    skipped: list[tuple[Level, str]] = []
    for level in levels(requested, untrusted):
        result = canary(level.name, needs)
        if result.launcher is not None and result.passed:
            return Choice(result.launcher, fallback_note(level, skipped))
        skipped.append((level, result.problem))
    raise no_level(requested, untrusted, skipped)


def ready(
    requested: str,
    sandbox_at: Callable[[Launcher], Sandbox],
    *,
    untrusted: bool = False,
) -> tuple[Sandbox, Choice]:
    """A child started at the level asked for (`auto`: the strongest that works here), for
    grading one submission: the child is its own canary (Sandbox.ensure_ready), so the
    level is proven without starting an interpreter just for that."""
    skipped: list[tuple[Level, str]] = []
    for level in levels(requested, untrusted):
        try:
            launcher = level.create(None)
        except Unavailable as error:
            skipped.append((level, f"{error}"))
            continue
        box = sandbox_at(launcher)
        try:
            box.ensure_ready()
        except (GraderFault, OSError) as error:
            box.close()
            skipped.append((level, getattr(error, "reason", f"{error}")))
            continue
        return box, Choice(launcher, fallback_note(level, skipped))
    raise no_level(requested, untrusted, skipped)


def levels(requested: str, untrusted: bool) -> list[Level]:
    """The levels to try, strongest first: the one asked for, or for `auto` every level (only
    those that confine untrusted code when the code is not trusted)."""
    if requested != AUTO:
        return [_level(requested)]
    return [level for level in LEVELS if level.confines_untrusted or not untrusted]


def tried(skipped: list[tuple[Level, str]]) -> str:
    """The levels that failed, and why."""
    return "; ".join(f"'{level.name}' failed its check ({why})" for level, why in skipped)


def fallback_note(level: Level, skipped: list[tuple[Level, str]]) -> str:
    """Why `auto` graded at a weaker level than the strongest, for the report."""
    return f"graded at isolation '{level.name}' because {tried(skipped)}" if skipped else ""


def no_level(requested: str, untrusted: bool, skipped: list[tuple[Level, str]]) -> GraderFault:
    """The fault when no level can be used: what failed, and what to do."""
    if requested != AUTO:
        level, why = skipped[0]
        return GraderFault(
            "isolation", f"isolation '{level.name}' cannot be used here: {why}; {level.fix}"
        )
    if untrusted:
        weaker = next(level.name for level in LEVELS if not level.confines_untrusted)
        fixes = "; ".join(f"{lv.name}: {lv.fix}" for lv in LEVELS if lv.confines_untrusted)
        return GraderFault(
            "isolation",
            f"no isolation level safe for untrusted code works here: {tried(skipped)}. Fix "
            f"one of them ({fixes}), or grade with --isolation {weaker} (no filesystem or "
            "network isolation: only for code you trust)",
        )
    return GraderFault("isolation", f"no isolation level works here: {tried(skipped)}")
