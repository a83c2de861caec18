"""How a child is started and stopped at each isolation level.

`process` (this module) is a plain child process with rlimits, for a student's
own machine. The `jail` level wraps the same command in bubblewrap; the `uid` level
(uidlevel.py) runs it as an unprivileged uid under a seccomp filter.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from graders.sandbox.job import Code, Limits

if TYPE_CHECKING:
    from graders.sandbox.cgroups import Group

MiB = 1 << 20
READY_SECONDS = 120.0  # for Python and its libraries to start, however busy the machine
HERE = Path(__file__).parent
# The child's interpreter at every level: isolated from the environment and the user's site
# (-I), writing no .pyc (-B), without site (-S: runner.child_source gives it site's folders).
CHILD_PYTHON = (sys.executable, "-I", "-B", "-S")


class Unavailable(Exception):
    """An isolation level cannot run here; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class Command:
    """Everything `subprocess.Popen` needs to start one child."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    preexec: Callable[[], None] | None
    sys_path: tuple[str, ...] = ()  # folders the child imports helper modules from
    paths: dict[str, str] | None = None  # host folder -> where the child sees it
    group: Group | None = None  # the child's cgroups, if it has any
    # Starts the child from its stdin, output and reply pipe ends (a warm template's fork:
    # graders.sandbox.warm); None: subprocess.Popen runs `argv`.
    spawn: Callable[[int, int, int], Any] | None = None

    def visible(self, host: str) -> str:
        """Where the child sees a file the parent wrote at `host`."""
        for folder, inside in (self.paths or {}).items():
            if host.startswith(f"{folder}/"):
                return inside + host[len(folder) :]
        return host


class Launcher(Protocol):
    """Starts and kills children at one isolation level."""

    level: str
    detail: str  # what protects the child, said in every report
    missing: tuple[str, ...]  # protections this level does not give, said in every report

    def for_slot(self, slot: int) -> Launcher:
        """The same launcher for concurrent grading slot `slot` (its own uid, where it has one)."""
        ...

    def command(
        self, scratch: Path, reply_fd: int, source: str, limits: Limits, code: Code
    ) -> Command: ...

    def kill(self, proc: subprocess.Popen, command: Command) -> None: ...

    def describe_exit(self, command: Command, code: int) -> str:
        """How the child ended, in words ("killed by signal SIGSEGV: ...")."""
        ...


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def describe_code(code: int) -> str:
    """A Popen return code in words: negative codes are signals."""
    return f"killed by signal {signal_name(-code)}" if code < 0 else f"exit code {code}"


def child_env(scratch: Path, limits: Limits) -> dict[str, str]:
    """A clean environment: nothing of the grader's (no secrets), BLAS pinned, plots to Agg."""
    threads = str(child_threads(limits))
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch),
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "NUMEXPR_NUM_THREADS": threads,
        "VECLIB_MAXIMUM_THREADS": threads,  # Apple's Accelerate
        "BLIS_NUM_THREADS": threads,
    }


def child_threads(limits: Limits) -> int:
    """The threads a child may keep busy: its limit, never more than this machine's cores."""
    return max(1, min(limits.threads, os.cpu_count() or 1))


# Address-space caps count reserved, not used, memory: NumPy's and PyTorch's
# thread pools reserve gigabytes they never touch. Where only the address space can
# be capped (no writable cgroup), this margin lets `import torch` succeed.
ADDRESS_SPACE_MARGIN = 4096 * MiB


def rlimit_values(limits: Limits, address_space: bool) -> list[tuple[int, int, int]]:
    """The limits the kernel enforces on the child itself, as (resource, soft, hard)."""
    # CPU seconds catch a spin that ignores signals (SIGKILL follows SIGXCPU at the hard
    # limit); the parent's wall clock catches sleeping too.
    values = [
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1),
        (resource.RLIMIT_FSIZE, limits.file_mb * MiB, limits.file_mb * MiB),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_NPROC, limits.processes, limits.processes),
    ]
    if address_space:
        memory = limits.memory_mb * MiB + ADDRESS_SPACE_MARGIN
        values.append((resource.RLIMIT_AS, memory, memory))
    return values


def rlimits(limits: Limits, address_space: bool) -> Callable[[], None]:
    """A pre-exec hook setting the limits the kernel enforces on the child itself."""
    values = rlimit_values(limits, address_space)

    def apply() -> None:
        for number, soft, hard in values:
            resource.setrlimit(number, (soft, hard))

    return apply


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def stop_supervisor(proc: subprocess.Popen) -> None:
    """End a child started under reaper.py: it kills and reaps everything the submission
    started, then ends; the group kill is for a supervisor the submission stopped."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
        return
    except subprocess.TimeoutExpired:
        pass
    kill_group(proc)


def supervised(reply_fd: int, source: str) -> list[str]:
    """The command line that runs the child program `source` under reaper.py (Linux)."""
    reaper = (HERE / "reaper.py").read_text()
    return [*CHILD_PYTHON, "-c", reaper, str(reply_fd), source]


@dataclass(frozen=True)
class ProcessLauncher:
    """A plain child process with rlimits: what a laptop without namespaces can do.

    On Linux the child runs under a small supervisor (reaper.py), a child subreaper that
    kills whatever the submission started, double-forked daemons included, when grading
    ends.
    """

    level: str = "process"
    reaper: bool = sys.platform == "linux"
    missing: tuple[str, ...] = (
        "filesystem isolation (the submission can read files your user can read)",
        "network isolation",
        "a separate user id",
    )

    @property
    def detail(self) -> str:
        """What protects the child, for the report."""
        reaped = ", a subreaper that kills what it leaves running" if self.reaper else ""
        return f"a child process with rlimits (CPU, address space, files, processes){reaped}"

    @classmethod
    def create(cls, slot: int | None = None) -> ProcessLauncher:
        """A plain-process launcher: it runs wherever Python does."""
        return cls()

    def for_slot(self, slot: int) -> ProcessLauncher:
        return self

    def command(
        self, scratch: Path, reply_fd: int, source: str, limits: Limits, code: Code
    ) -> Command:
        if self.reaper:
            argv = supervised(reply_fd, source)
        else:
            argv = [*CHILD_PYTHON, "-c", source, str(reply_fd)]
        env = child_env(scratch, limits)
        return Command(argv, str(scratch), env, rlimits(limits, True), code.path)

    def kill(self, proc: subprocess.Popen, command: Command) -> None:
        if self.reaper:
            stop_supervisor(proc)
        else:
            kill_group(proc)

    def describe_exit(self, command: Command, code: int) -> str:
        return describe_code(code)
