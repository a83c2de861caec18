"""Slots: every live grading on a machine has a number of its own, and with it a uid (at the
jail level), cgroups and a scratch folder that no other grading shares.

The slot table is a folder local to the machine ($DLGRADE_RUNTIME, else `dlgrade-slots-<uid>`
in the temporary folder) holding a lock file and a scratch folder per slot. A Sandbox leases
the lowest free slot for as long as it lives, by holding an exclusive `flock` on the slot's
file: each lease opens the file anew, so threads of one process exclude each other as
processes do, and the kernel drops the lock when its process ends, however it ends. A free
slot with something in it was therefore left by a grading that died (a worker killed in the
middle of a call): whoever leases it next cleans it first, and `sweep` cleans every free
slot (a batch or a Dask worker sweeps when it starts). What a slot can leave behind: scratch
folders, and cgroups with whatever still runs in them (bubblewrap's --die-with-parent ends
the jail with its grader; the groups catch what escaped it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graders.sandbox import cgroups

ENV_VAR = "DLGRADE_RUNTIME"
SIZE = 4000  # slots 0..3999: the jail's uids UID_BASE..UID_BASE+3999, below nobody (65534)


class NoSlot(OSError):
    """No slot can be leased: the table's folder is unusable, or every slot is taken."""


def alive(pid: int) -> bool:
    """True while process `pid` exists (a process of another user's included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cgroup_name(slot: int, detail: str) -> str:
    """The name of a cgroup made for a child in slot `slot`: the slot and the process that made
    it come first, so a sweep finds the groups of a dead grading (and leaves a live one's)."""
    return f"slot{slot}-{os.getpid()}-{detail}"


def _maker(name: str) -> int | None:
    """The pid that made the cgroup `name` (see cgroup_name), or None for another name."""
    _, _, rest = name.partition("-")
    pid, _, _ = rest.partition("-")
    return int(pid) if pid.isdigit() else None


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the exclusive lock on an open lock file, without waiting; False when it is held."""
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class Lease:
    """Slot `number`, held until `release` (or the end of the process); `folder` is where the
    slot's scratch folders go."""

    def __init__(self, number: int, folder: Path, handle: IO[bytes]) -> None:
        self.number = number
        self.folder = folder
        self._handle: IO[bytes] | None = handle

    def release(self) -> None:
        """Free the slot (closing the lock file drops the lock); a second call does nothing."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class Table:
    """The slot table of this machine: a folder of lock files and scratch folders.

    It holds no state of its own (the locks are the state, in the kernel), so any number of
    Table objects, in any threads or processes, agree on who holds what.
    """

    folder: Path
    size: int = SIZE

    @classmethod
    def here(cls) -> Table:
        """This machine's table: $DLGRADE_RUNTIME, else dlgrade-slots-<uid> in the temporary
        folder. It must be local to the machine (a shared folder would share slots)."""
        default = Path(tempfile.gettempdir()) / f"dlgrade-slots-{os.geteuid()}"
        return cls(Path(os.environ.get(ENV_VAR) or default))

    def lease(self) -> Lease:
        """The lowest free slot, cleaned of anything a dead grading left in it."""
        self._prepare()
        for number in range(self.size):
            handle = open(self.folder / f"slot-{number}.lock", "ab")  # the lease keeps it open
            if not _try_lock(handle):
                handle.close()
                continue
            folder = self._clean(number)
            return Lease(number, folder, handle)
        raise NoSlot(f"all {self.size} grading slots in {self.folder} are taken")

    def sweep(self) -> list[int]:
        """Clean every free slot that holds something; the numbers of those cleaned."""
        if not self.folder.is_dir():
            return []
        self._prepare()
        cleaned = []
        for lock in sorted(self.folder.glob("slot-*.lock")):
            number = int(lock.stem.removeprefix("slot-"))
            with open(lock, "ab") as handle:
                if _try_lock(handle) and self._leftovers(number):
                    self._clean(number)
                    cleaned.append(number)
        return cleaned

    def _prepare(self) -> None:
        """Make the table's folder, and refuse one that someone else could have prepared."""
        with contextlib.suppress(FileExistsError):
            # Others may pass through (the jail's uids reach their scratch folders), not write.
            self.folder.mkdir(mode=0o755, parents=True)
            self.folder.chmod(0o755)
        found = self.folder.lstat()
        if stat.S_ISLNK(found.st_mode):
            raise NoSlot(f"the grading slots' folder {self.folder} is a symbolic link")
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid():
            raise NoSlot(f"the grading slots' folder {self.folder} is not a folder of ours")
        if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise NoSlot(f"others can write in the grading slots' folder {self.folder}")

    def _leftovers(self, number: int) -> bool:
        folder = self.folder / f"slot-{number}"
        return (folder.is_dir() and any(folder.iterdir())) or bool(self._dead_groups(number))

    def _dead_groups(self, number: int) -> list[cgroups.Group]:
        """Slot `number`'s cgroups whose maker is dead (a live maker holds a slot of the same
        number in another table, such as a test's)."""
        return [
            group
            for group in cgroups.named(f"slot{number}-")
            if (maker := _maker(group.paths[0].name)) is not None and not alive(maker)
        ]

    def _clean(self, number: int) -> Path:
        """Remove what slot `number` holds (call with its lock held); its scratch folder."""
        folder = self.folder / f"slot-{number}"
        for group in self._dead_groups(number):
            group.close()
        if folder.is_dir():
            for left in folder.iterdir():
                shutil.rmtree(left, ignore_errors=True)
        folder.mkdir(mode=0o755, exist_ok=True)
        folder.chmod(0o755)
        return folder
