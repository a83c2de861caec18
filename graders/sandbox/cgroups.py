"""Memory and process-count limits through cgroups, v1 or v2, whichever is writable here.

A child joins its own group before it execs, so everything it starts (a fork
bomb, a double-forked daemon) is counted, capped and killed with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Cgroups:
    """Where this machine lets us make groups: one folder per controller (v1) or one (v2)."""

    version: str  # "v1" or "v2"
    memory: Path  # the parent folder new memory groups go in
    pids: Path  # the parent folder new pids groups go in (the same folder in v2)


@dataclass(frozen=True)
class Group:
    """The groups made for one child; `paths` are the folders to join, kill and remove."""

    version: str
    paths: tuple[Path, ...]

    def join(self) -> None:
        """Move the calling process into the group (called in the child before exec)."""
        self.add(0)

    def add(self, pid: int) -> None:
        """Move process `pid` into the group (0: the calling process); what it starts after
        that starts in the group."""
        for path in self.paths:
            (path / "cgroup.procs").write_text(f"{pid}")

    def kill(self) -> None:
        """SIGKILL everything in the group, wherever it went (new sessions, new PID namespaces)."""
        for path in self.paths:
            kill_file = path / "cgroup.kill"
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    kill_file.write_text("1")
            kill_until_gone(lambda path=path: _pids(path), rounds=100)

    def close(self) -> None:
        """Kill whatever is still in the group, then remove it."""
        self.kill()
        self.remove()

    def remove(self) -> None:
        for path in self.paths:
            with contextlib.suppress(OSError):
                path.rmdir()

    def oom_killed(self) -> bool:
        """True when the kernel killed something in the group for going over its memory limit."""
        for path in self.paths:
            for name in ("memory.events", "memory.oom_control"):
                with contextlib.suppress(OSError):
                    for line in (path / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and int(value) > 0:
                            return True
        return False


def _pids(path: Path) -> list[int]:
    try:
        return [int(p) for p in (path / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _own(controller: str) -> str:
    """This process's group path for a v1 controller ("memory"), or for v2 (controller "")."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if (controller and controller in names.split(",")) or (not controller and names == ""):
            return path.lstrip("/")
    return ""


def _writable_child(base: Path) -> Path | None:
    """`base/dlgrade`, created if need be, when we may make groups in it."""
    folder = base / "dlgrade"
    try:
        folder.mkdir(exist_ok=True)
        # Named for the thread too: threads of one process (a Dask worker's) probe at once.
        probe = folder / f"probe-{os.getpid()}-{threading.get_ident()}"
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return None
    return folder


def detect() -> Cgroups | None:
    """The writable cgroup setup of this machine, or None (then the address space is capped)."""
    memory_v1, pids_v1 = ROOT / "memory", ROOT / "pids"
    if (memory_v1 / "memory.limit_in_bytes").exists() and (pids_v1 / "cgroup.procs").exists():
        # Nest under our own group so the limits of the container we run in still apply.
        memory = _writable_child(memory_v1 / _own("memory")) or _writable_child(memory_v1)
        pids = _writable_child(pids_v1 / _own("pids")) or _writable_child(pids_v1)
        if memory and pids:
            return Cgroups("v1", memory, pids)
    if (ROOT / "cgroup.controllers").exists():
        controllers = (ROOT / "cgroup.controllers").read_text().split()
        if {"memory", "pids"} <= set(controllers):
            # v2 lets only a group without processes of its own delegate controllers, so
            # the root (exempt from that rule) hosts a dlgrade folder for our groups.
            try:
                (ROOT / "cgroup.subtree_control").write_text("+memory +pids")
                folder = _writable_child(ROOT)
                if folder is not None:
                    (folder / "cgroup.subtree_control").write_text("+memory +pids")
                    return Cgroups("v2", folder, folder)
            except OSError:
                return None
    return None


def named(prefix: str) -> list[Group]:
    """The groups dlgrade made here (wherever `detect` makes them) whose names start with
    `prefix`, one Group per name, in name order. Nothing is created while looking."""
    found: dict[str, list[Path]] = {}
    versions: dict[str, str] = {}
    folders = [
        ("v1", ROOT / controller / own / "dlgrade")
        for controller in ("memory", "pids")
        for own in dict.fromkeys((_own(controller), ""))
    ]
    for version, folder in [*folders, ("v2", ROOT / "dlgrade")]:
        try:
            children = sorted(p for p in folder.iterdir() if p.name.startswith(prefix))
        except OSError:  # no such folder: nothing made there
            continue
        for child in (c for c in children if c.is_dir()):
            found.setdefault(child.name, []).append(child)
            versions[child.name] = version
    return [Group(versions[name], tuple(found[name])) for name in sorted(found)]


def create(setup: Cgroups, name: str, memory_bytes: int, processes: int) -> Group:
    """Make the groups for one child, with its memory and process-count limits set."""
    if setup.version == "v2":
        path = setup.memory / name
        path.mkdir()
        (path / "memory.max").write_text(str(memory_bytes))
        with contextlib.suppress(OSError):  # no swap on the machine: nothing to cap
            (path / "memory.swap.max").write_text("0")
        (path / "pids.max").write_text(str(processes))
        return Group("v2", (path,))
    memory, pids = setup.memory / name, setup.pids / name
    memory.mkdir()
    pids.mkdir()
    (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
    with contextlib.suppress(OSError):
        (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
    (pids / "pids.max").write_text(str(processes))
    return Group("v1", (memory, pids))


def kill_until_gone(find: Callable[[], list[int]], rounds: int) -> None:
    """SIGKILL every process `find()` lists until it lists none (at most `rounds` times): a
    process may start another while we kill, and a killed one takes a moment to exit."""
    for attempt in range(rounds):
        found = find()
        if not found:
            return
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        # Most are gone within a millisecond: look again soon, then less and less often.
        time.sleep(min(0.0005 * 2**attempt, 0.005))


def limits_detail(groups: Cgroups | None) -> str:
    """What caps a child's memory and processes, in the words of a report."""
    if groups is None:
        return "rlimits (address space, processes)"
    return f"cgroup {groups.version} memory and process limits"
