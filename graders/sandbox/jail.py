"""The `jail` isolation level: bubblewrap, an unprivileged uid, cgroups, rlimits.

The child process drops to an unprivileged uid (one per concurrent slot) and
joins its own cgroups *before* bubblewrap starts; bubblewrap then gives it new
user, network, PID, IPC, UTS and mount namespaces, a cleared environment, the
system and Python read-only, the submission read-only, and a size-capped tmpfs
to work in. Nothing of the grader (source, reference, specs, results) is mounted.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graders.files import read_tree
from graders.sandbox import cgroups, slots
from graders.sandbox.launch import (
    CHILD_PYTHON,
    Command,
    MiB,
    Unavailable,
    child_env,
    describe_code,
    kill_group,
    rlimits,
)

if TYPE_CHECKING:
    from graders.sandbox.job import Code, Limits

UID_BASE = 61000  # sandbox uids are UID_BASE + slot; no real account uses them
SUBMISSION, INBOX, SCRATCH = "/submission", "/inbox", "/scratch"
SITE_NAMES = ("site-packages", "dist-packages")
SYSTEM_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")  # merged /usr: see system_binds


class JailUnavailable(Unavailable):
    """The jail cannot run here; the message says what is missing and how to fix it."""


def site_folders() -> list[Path]:
    """The site-packages (or dist-packages) folders on this Python's path."""
    folders = (Path(entry).resolve() for entry in sys.path if entry)
    return [f for f in folders if f.name in SITE_NAMES and f.is_dir()]


# Data sets installed packages carry, labels included: a submission must not look up the
# answers it is asked to predict (scikit-learn's digits are a graded track).
DATASET_FOLDERS = ("sklearn/datasets/data", "sklearn/datasets/descr", "sklearn/datasets/images")


def hidden_folders(blocked: tuple[str, ...]) -> list[Path]:
    """Folders of the Python environment the child does not see: the packages of the modules
    its track does not allow, and the data sets installed packages bundle."""
    names = (*(name.split(".")[0] for name in blocked), *DATASET_FOLDERS)
    return [site / name for site in site_folders() for name in names if (site / name).is_dir()]


def grader_folders() -> list[Path]:
    """Folders of the grader, hidden (by an empty tmpfs) if they sit in a bound path.

    Both the running copy and any copy installed in a site folder count: on Gradescope the
    grader runs from a pip install inside the very Python environment the child needs.
    """
    import graders

    roots = {Path(graders.__file__).resolve().parent.parent}
    installed = (site for site in site_folders() if (site / "graders/sandbox/jail.py").is_file())
    roots.update(installed)
    names = ("graders", "reference", "assignments", "student_template")
    return sorted(root / name for root in roots for name in names if (root / name).is_dir())


def python_roots() -> list[Path]:
    """The folders the child's Python needs (real paths): its prefixes, and any site folders
    outside them. A prefix of / is left out: the system folders are bound anyway."""
    prefixes = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots = {Path(prefix).resolve() for prefix in prefixes} - {Path("/")}
    for site in site_folders():
        if not any(site.is_relative_to(r) for r in roots):
            roots.add(site)
    return sorted(roots)


def links_on_the_way(path: str, hops: int = 40) -> list[tuple[Path, str]]:
    """Every symbolic link met while resolving `path`, as (where it is, what it says).

    Each link's place is a real path (the folders before it are already resolved), so the
    jail can recreate the links that lie outside what it binds: a venv's `bin/python` that
    points into a pyenv or uv interpreter, a prefix reached through `/opt/python -> ...`.
    """
    found: list[tuple[Path, str]] = []
    current = Path("/")
    parts = [part for part in os.path.abspath(path).split("/") if part]
    while parts and len(found) < hops:
        part = parts.pop(0)
        if part == ".":
            continue
        if part == "..":
            current = current.parent
            continue
        candidate = current / part
        if candidate.is_symlink():
            target = os.readlink(candidate)
            found.append((candidate, target))
            current = Path("/") if target.startswith("/") else current
            parts[:0] = [p for p in target.split("/") if p]
        else:
            current = candidate
    return found


def python_links(roots: list[Path]) -> list[tuple[Path, str]]:
    """The links on the way to the interpreter and its folders that the jail must recreate:
    those outside the Python roots and the system folders (where they are visible anyway)."""
    bound = [*roots, Path("/usr"), Path("/etc/alternatives")]
    wanted = [sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    wanted += [entry for entry in sys.path if entry and Path(entry).name in SITE_NAMES]
    links = {}
    for path in wanted:
        for link, target in links_on_the_way(path):
            system = link.parent == Path("/") and link.name in SYSTEM_LINKS
            if not system and not any(link.is_relative_to(folder) for folder in bound):
                links[link] = target
    return sorted(links.items())


def unreadable_for_others(path: Path) -> Path | None:
    """The first folder on the way to `path` that a stranger's uid cannot pass through."""
    for folder in [*reversed(path.parents), path]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH or (folder == path and not mode & stat.S_IROTH):
            return folder
    return None


def python_out_of_reach(uid: int) -> str:
    """Why the sandbox uid `uid` cannot reach this Python (its prefixes and site folders),
    with the fix; empty when it can."""
    for root in python_roots():
        blocked = unreadable_for_others(root)
        if blocked is not None:
            return (
                f"the Python environment {root} is not readable by the sandbox uid {uid}: "
                f"{blocked} is closed to other users. Let others pass through it (chmod o+x "
                f"{blocked}: no listing, no reading) or use a Python installed elsewhere "
                "(/usr, /opt)"
            )
    return ""


def drop_privileges(uid: int) -> None:
    """Become `uid` (and group `uid`) with no supplementary groups, for good: real, effective
    and saved ids alike. Called in a child before it execs, as root."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def system_binds() -> list[str]:
    """Read-only system folders; merged-/usr symlinks (/lib -> usr/lib) are recreated as links."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in (f"/{link}" for link in SYSTEM_LINKS):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives"):
        args += ["--ro-bind-try", name, name]
    return args


def copy_submission(folders: tuple[str, ...], destination: Path) -> None:
    """Copy the submission's folder (its helper modules) for a read-only bind.

    What is copied is what `graders.files` reads: regular files only, no link followed,
    within its size limit (SubmissionError otherwise), the same files the gradebook hashes.
    """
    destination.mkdir(mode=0o755)
    for folder in folders[:1]:
        for relative, data in read_tree(Path(folder)).files:
            target = destination / relative
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            target.write_bytes(data)
            target.chmod(0o644)


@dataclass(frozen=True)
class Prepared:
    """One child's files on the host (its submission's copy, its inbox) and its cgroups."""

    copy: Path
    inbox: Path
    group: cgroups.Group | None
    sys_path: tuple[str, ...]  # where the child imports the submission's helper modules from

    @property
    def paths(self) -> dict[str, str]:
        """Host folder -> where the child sees it (graders.sandbox.launch.Command.paths)."""
        return {str(self.copy): SUBMISSION, str(self.inbox): INBOX}


def tmpfs_bytes(limits: Limits) -> int:
    """The size of each private tmpfs a child writes in (/scratch, /tmp)."""
    return limits.file_mb * 4 * MiB


@dataclass(frozen=True)
class JailLauncher:
    """Starts each child inside bubblewrap as uid UID_BASE + slot."""

    slot: int
    uid: int
    groups: cgroups.Cgroups | None
    level: str = "jail"

    @property
    def detail(self) -> str:
        """What protects the child, for the report."""
        limits = cgroups.limits_detail(self.groups)
        return (
            f"bubblewrap: uid {self.uid}, new user/network/PID/IPC/UTS/mount namespaces, "
            f"read-only system, private tmpfs, {limits}"
        )

    @property
    def missing(self) -> tuple[str, ...]:
        gaps = []
        if self.groups is None:
            gaps.append("cgroup limits (no writable cgroup: memory capped by address space)")
        if self.uid == os.geteuid() and os.geteuid() != 0:
            gaps.append("a uid of its own (the jail runs as your user, inside namespaces)")
        return tuple(gaps)

    @classmethod
    def create(cls, slot: int | None = None) -> JailLauncher:
        """A launcher for this machine, or JailUnavailable saying what is missing."""
        if sys.platform != "linux":
            raise JailUnavailable(f"the jail needs Linux namespaces; this is {sys.platform}")
        if shutil.which("bwrap") is None:
            raise JailUnavailable(
                "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
            )
        slot = os.getpid() % slots.SIZE if slot is None else slot  # a Sandbox takes its own
        uid = UID_BASE + slot if os.geteuid() == 0 else os.geteuid()
        if uid != os.geteuid() and (problem := python_out_of_reach(uid)):
            raise JailUnavailable(problem)
        # No trial jail here: every child proves the jail itself as it starts (a machine that
        # forbids namespaces gets bubblewrap's own words in the fault that follows).
        return cls(slot, uid, cgroups.detect() if os.geteuid() == 0 else None)

    def for_slot(self, slot: int) -> JailLauncher:
        """This machine's jail for slot `slot`: a uid of its own (when we can switch uids)."""
        uid = UID_BASE + slot if os.geteuid() == 0 else os.geteuid()
        return dataclasses.replace(self, slot=slot, uid=uid)

    def drop(self) -> None:
        """Become the slot's unprivileged uid, with no supplementary groups (before exec)."""
        if os.geteuid() == 0:
            drop_privileges(self.uid)

    def prepare(self, scratch: Path, limits: Limits, code: Code) -> Prepared:
        """What one child needs before it starts: its inbox, a copy of the submission's
        folder, and its cgroups (when we can make them)."""
        scratch.chmod(0o755)  # the sandbox uid must reach its inbox and submission copy
        inbox = scratch / "inbox"
        inbox.mkdir(mode=0o755, exist_ok=True)
        copy = scratch / f"submission-{len(list(scratch.glob('submission-*')))}"
        copy_submission(code.path, copy)
        group = None
        if self.groups is not None:
            name = slots.cgroup_name(self.slot, f"{copy.name}-{scratch.name}")
            memory = limits.memory_mb * MiB
            group = cgroups.create(self.groups, name, memory, limits.processes)
        sys_path = tuple(SUBMISSION for _ in code.path[:1])
        return Prepared(copy, inbox, group, sys_path)

    def argv(self, limits: Limits, binds: list[str], program: list[str]) -> list[str]:
        """The bubblewrap command that runs `program` in this jail, with `binds` (bubblewrap
        arguments) added after the system's and Python's folders."""
        env = child_env(Path(SCRATCH), limits)
        roots = python_roots()
        return [
            "bwrap",
            "--unshare-all",  # user, network, PID, IPC, UTS and cgroup namespaces
            "--unshare-user",  # explicit, as --disable-userns requires it
            "--die-with-parent",
            "--new-session",  # no terminal to inject keystrokes into
            "--hostname", "dlgrade",
            "--clearenv",
            *[arg for key, value in env.items() for arg in ("--setenv", key, value)],
            *system_binds(),
            # The private tmpfs mounts come before the Python folders: a virtual environment
            # under /tmp (CI runners, containers) would otherwise be covered up by them.
            "--size", str(tmpfs_bytes(limits)), "--tmpfs", "/tmp",  # noqa: S108 - a private tmpfs
            "--size", str(tmpfs_bytes(limits)), "--tmpfs", SCRATCH,
            *[arg for root in roots for arg in ("--ro-bind", str(root), str(root))],
            # Links on the way to the interpreter that no bound folder shows, recreated.
            *[arg for link, to in python_links(roots) for arg in ("--symlink", to, str(link))],
            # Were the grader installed inside a bound folder, its folders are covered up; so
            # are the modules the track does not allow and the data sets with their labels.
            *[
                arg
                for folder in [*grader_folders(), *hidden_folders(limits.blocked)]
                if any(folder.is_relative_to(r) for r in roots)
                for arg in ("--tmpfs", str(folder))
            ],
            "--proc", "/proc",
            "--dev", "/dev",
            *binds,
            "--chdir", SCRATCH,
            "--",
            *program,
        ]  # fmt: skip

    def command(
        self, scratch: Path, reply_fd: int, source: str, limits: Limits, code: Code
    ) -> Command:
        ready = self.prepare(scratch, limits, code)
        binds = [
            "--disable-userns",  # no further user namespaces inside
            "--ro-bind", str(ready.copy), SUBMISSION,
            "--ro-bind", str(ready.inbox), INBOX,
        ]  # fmt: skip
        argv = self.argv(limits, binds, [*CHILD_PYTHON, "-c", source, str(reply_fd)])
        limit_hook = rlimits(limits, address_space=ready.group is None)
        group = ready.group

        def preexec() -> None:
            if group is not None:
                group.join()  # as root, before the uid is dropped
            limit_hook()
            self.drop()

        return Command(
            argv,
            str(scratch),
            {"PATH": "/usr/bin:/bin"},
            preexec,
            ready.sys_path,
            ready.paths,
            group,
        )

    def kill(self, proc: subprocess.Popen, command: Command) -> None:
        kill_group(proc)  # bwrap and, by --die-with-parent and the PID namespace, all inside
        if command.group is not None:
            command.group.close()  # anything that slipped out of both

    def describe_exit(self, command: Command, code: int) -> str:
        # bwrap passes on a child killed by signal N as exit code 128 + N.
        words = describe_code(-(code - 128) if 128 < code < 128 + 65 else code)
        if command.group is not None and command.group.oom_killed():
            words += ": it went over the memory limit"
        return words
