"""How a child is started and stopped at each isolation level.

`process` (this module) is a plain child process with rlimits, for a student's
own machine. The `jail` level wraps the same command in bubblewrap.
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
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from graders.sandbox.runner import Limits

MiB = 1 << 20


@dataclass(frozen=True)
class Command:
    """Everything `subprocess.Popen` needs to start one child."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    preexec: Callable[[], None] | None


class Launcher(Protocol):
    """Starts and kills children at one isolation level."""

    level: str
    missing: tuple[str, ...]  # protections this level does not give, said in every report

    def command(self, scratch: Path, reply_fd: int, source: str, limits: Limits) -> Command: ...

    def kill(self, proc: subprocess.Popen) -> None: ...


def child_env(scratch: Path, limits: Limits) -> dict[str, str]:
    """A clean environment: nothing of the grader's (no secrets), BLAS pinned, plots to Agg."""
    threads = str(limits.threads)
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
    }


def rlimits(limits: Limits, address_space: bool) -> Callable[[], None]:
    """A pre-exec hook setting the limits the kernel enforces on the child itself."""

    def apply() -> None:
        # CPU seconds catch a spin that ignores signals (SIGKILL follows SIGXCPU
        # at the hard limit); the parent's wall clock catches sleeping too.
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * MiB, limits.file_mb * MiB))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        if address_space:
            memory = limits.memory_mb * MiB
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

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


@dataclass(frozen=True)
class ProcessLauncher:
    """A plain child process with rlimits: what a laptop without namespaces can do."""

    level: str = "process"
    missing: tuple[str, ...] = (
        "filesystem isolation (the submission can read files your user can read)",
        "network isolation",
        "a separate user id",
    )

    def command(self, scratch: Path, reply_fd: int, source: str, limits: Limits) -> Command:
        argv = [sys.executable, "-I", "-B", "-c", source, str(reply_fd)]
        return Command(argv, str(scratch), child_env(scratch, limits), rlimits(limits, True))

    def kill(self, proc: subprocess.Popen) -> None:
        kill_group(proc)
