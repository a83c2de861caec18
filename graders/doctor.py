"""`dlgrade doctor`: what this machine provides for grading, and a self-test.

Each finding says what was checked, what was found and, when something is missing, what
to do about it. The self-test grades an assignment's reference (the self-check's unless one is
named) at the level `auto` (or --isolation) picks; it must score full marks. Platform images
run it when they are built, so a grading environment that would fail students fails the build.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass(frozen=True)
class Finding:
    """One thing checked: `ok` None when it is only information (or optional and absent)."""

    topic: str
    ok: bool | None
    detail: str


def isolation_findings() -> list[Finding]:
    """Each level's canary (NumPy; PyTorch too where it is installed), and auto's pick."""
    from graders.sandbox.errors import GraderFault
    from graders.sandbox.isolation import LEVELS, Needs, canary, choose

    found = []
    for level in LEVELS:
        result = canary(level.name, Needs())
        if result.passed and result.launcher is not None:
            missing = "; ".join(result.launcher.missing) or "nothing"
            detail = (
                f"canary passed in {result.seconds:.2f} s: {result.launcher.detail}. "
                f"Not provided: {missing}"
            )
        else:
            detail = f"unavailable: {result.problem}. Fix: {level.fix}"
        found.append(Finding(f"isolation {level.name}", result.passed, detail))
    try:
        picked = choose("auto").launcher.level
    except GraderFault as fault:
        return [*found, Finding("isolation auto", False, fault.reason)]
    found.append(Finding("isolation auto", True, f"picks '{picked}'"))
    if importlib.util.find_spec("torch") is not None:
        result = canary(picked, Needs(("numpy", "torch")))
        said = f"imports PyTorch in {result.seconds:.1f} s" if result.passed else result.problem
        found.append(Finding(f"torch tracks at '{picked}'", result.passed, said))
    return found


def cgroup_finding() -> Finding:
    from graders.sandbox import cgroups

    if os.geteuid() != 0:
        return Finding("cgroups", None, "not root: memory is capped by address space instead")
    setup = cgroups.detect()
    if setup is None:
        return Finding(
            "cgroups", None, "none writable here: memory is capped by address space instead"
        )
    return Finding("cgroups", True, f"{setup.version}: memory groups in {setup.memory}")


def reach_finding() -> Finding:
    """Whether the jail's unprivileged uid can reach this Python's folders."""
    from graders.sandbox.jail import python_roots, unreadable_for_others

    if os.geteuid() != 0:
        return Finding("sandbox uid", None, "not root: the jail runs as your own uid")
    for root in python_roots():
        blocked = unreadable_for_others(root)
        if blocked is not None:
            return Finding(
                "sandbox uid",
                False,
                f"cannot reach {root}: {blocked} is closed to other users; "
                f"`chmod o+x {blocked}` or `python tools/open_python_for_jail.py` fixes it",
            )
    roots = ", ".join(str(root) for root in python_roots())
    return Finding("sandbox uid", True, f"can reach this Python ({roots})")


def mnist_finding(data: str | None) -> Finding:
    from graders.data.mnist import DataError, MnistNotFound, find_mnist

    try:
        return Finding("MNIST", True, f"found in {find_mnist(data)}")
    except MnistNotFound as error:
        looked = ", ".join(str(place) for place in error.places)
        said = f"not found (looked in {looked})"
    except DataError as error:
        said = f"{error}".splitlines()[0]
    return Finding(
        "MNIST", None, f"{said}; only the MNIST tracks need it: dlgrade data mnist --download"
    )


def torch_finding() -> Finding:
    if importlib.util.find_spec("torch") is None:
        return Finding("torch", None, "not installed (only the torch tracks need it)")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return Finding("torch", True, f"{version('torch')} installed")
    except PackageNotFoundError:
        return Finding("torch", True, "installed")


def chromium_finding() -> Finding:
    found = next((path for name in CHROMIUM if (path := shutil.which(name))), None)
    if found is None:
        return Finding(
            "Chromium", None, "not found (only the class report's browser test needs it)"
        )
    return Finding("Chromium", True, found)


def self_test(isolation: str, assignment: str = "selfcheck", data: str | None = None) -> Finding:
    """Grade the assignment's reference where `isolation` picks; it must score full marks."""
    from graders.checks.core import Context
    from graders.grading import self_test as grade_reference
    from graders.sandbox.errors import GraderFault
    from graders.sandbox.isolation import Needs, choose
    from graders.spec import load_spec
    from graders.specfile import SpecError

    try:
        spec = load_spec(assignment)
        choice = choose(isolation, Needs.of(spec))
    except SpecError as error:
        return Finding("self-test", False, f"{error}")
    except GraderFault as fault:
        return Finding("self-test", False, fault.reason)
    report, problem = grade_reference(spec, choice.launcher, Context(data_dir=data))
    if report is None or problem:
        return Finding("self-test", False, problem)
    score = f"{report.score:g}/{report.max_score:g}"
    return Finding(
        "self-test",
        True,
        f"the reference of {spec.name} scored {score} at '{report.isolation}' in "
        f"{report.seconds:.2f} s",
    )


def findings(isolation: str, data: str | None, assignment: str = "selfcheck") -> list[Finding]:
    """Everything doctor checks, the self-test last."""
    return [
        Finding(
            "dlgrade",
            None,
            f"on {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()} ({sys.executable}), {os.cpu_count()} cores",
        ),
        *isolation_findings(),
        cgroup_finding(),
        reach_finding(),
        mnist_finding(data),
        torch_finding(),
        chromium_finding(),
        self_test(isolation, assignment, data),
    ]


def render(found: list[Finding]) -> str:
    marks = {True: "✓", False: "✗", None: "·"}
    width = max(len(f.topic) for f in found)
    return "\n".join(f"{marks[f.ok]} {f.topic:<{width}}  {f.detail}" for f in found)
