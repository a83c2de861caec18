"""The `uid` isolation level: an unprivileged uid and a seccomp filter, without namespaces.

For containers that forbid namespaces, such as Gradescope's Docker (root without
CAP_SYS_ADMIN, and a seccomp profile refusing unshare, setns, mount and clone with namespace
flags), where bubblewrap cannot start. The child joins its cgroups where one is writable,
sets its rlimits, becomes a uid of its own (UID_BASE + slot, as in the jail, with no
supplementary groups) and loads a seccomp filter, all before it execs Python: no socket but
AF_UNIX, no namespace, mount or ptrace calls, nothing that reads another process's memory,
no keyrings, BPF, perf events or io_uring. It works in a scratch folder of its own (0700),
under the process level's subreaper, and whatever still runs as its uid when grading ends
is killed.

Without a mount namespace the child sees the file system as any other user does. So the
grader's folders, the reference, the hidden checks and the results must be closed to other
users (setup.sh does it with tools/make_grader_private.py), and before the level is used it
checks, as the sandbox uid, that it can read none of them; if it can, it is unavailable and
says which folders to close.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import importlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from graders.sandbox import cgroups, slots
from graders.sandbox.jail import (
    UID_BASE,
    copy_submission,
    drop_privileges,
    grader_folders,
    hidden_folders,
    python_out_of_reach,
)
from graders.sandbox.launch import (
    HERE,
    Command,
    MiB,
    Unavailable,
    child_env,
    describe_code,
    rlimits,
    stop_supervisor,
    supervised,
)

if TYPE_CHECKING:
    from graders.sandbox.job import Code, Limits

PRIVATE_VARIABLE = "DLGRADE_PRIVATE"  # more paths the child must not reach, os.pathsep apart
BINDINGS = ("seccomp", "pyseccomp")  # libseccomp's own Python binding, else PyPI's pyseccomp
SHARED_TEMPORARY = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: S108 - cleaned, not used
REFUSED = (
    # Namespaces and mounts: the means to build a view of the system of its own.
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree",
    "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # Other processes' memory and files (those of its own uid too, such as the supervisor).
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    # Kernel interfaces with a record of privilege escalations (Docker refuses them too);
    # io_uring would also open sockets without the socket() call the filter checks.
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # System V IPC objects outlive their creator: a channel to the next submission.
    "shmget", "semget", "msgget",
    # The machine's own state.
    "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module",
    "delete_module", "swapon", "swapoff", "acct", "syslog", "quotactl",
    "open_by_handle_at", "name_to_handle_at", "sethostname", "setdomainname",
    "settimeofday", "clock_settime", "clock_adjtime", "iopl", "ioperm", "vhangup",
)  # fmt: skip
# CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
# CLONE_NEWNET and CLONE_NEWTIME (<linux/sched.h>; the os module has them from Python 3.12).
NAMESPACE_FLAGS = (
    0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x80,
)  # fmt: skip


class UidUnavailable(Unavailable):
    """The uid level cannot run here; the message says what is missing and how to fix it."""


def seccomp_binding() -> ModuleType:
    """libseccomp's Python binding (Debian's python3-seccomp) or pyseccomp, whichever loads."""
    problems = []
    for name in BINDINGS:
        try:
            return importlib.import_module(name)
        except (ImportError, OSError, RuntimeError) as error:  # pyseccomp: RuntimeError
            problems.append(f"{name}: {error}")
    raise UidUnavailable(
        f"no seccomp binding loads here ({'; '.join(problems)}): pip install 'dlgrade[uid]' "
        "(pyseccomp), and apt-get install libseccomp2 if libseccomp is missing"
    )


def syscall_filter(binding: ModuleType) -> Any:
    """The child's seccomp filter: every system call is allowed but those that reach past
    its uid (REFUSED, namespace flags on clone, and sockets of any family but AF_UNIX).

    Loading it sets no_new_privs (libseccomp's default), so no set-uid program can give the
    child back what it dropped.
    """
    rules = binding.SyscallFilter(binding.ALLOW)
    refused = binding.ERRNO(errno.EPERM)
    try:
        for name in REFUSED:
            rules.add_rule(refused, name)
        for flag in NAMESPACE_FLAGS:
            rules.add_rule(refused, "clone", binding.Arg(0, binding.MASKED_EQ, flag, flag))
        # clone3 passes its flags in memory, which a filter cannot read; with ENOSYS the C
        # library falls back to clone, whose flags it can.
        rules.add_rule(binding.ERRNO(errno.ENOSYS), "clone3")
        for name in ("socket", "socketpair"):
            unix = binding.Arg(0, binding.NE, socket.AF_UNIX)
            rules.add_rule(binding.ERRNO(errno.EACCES), name, unix)
    except (OSError, ValueError, RuntimeError) as error:
        raise UidUnavailable(
            f"the seccomp filter cannot be built with this libseccomp ({error}): install a "
            "libseccomp of 2.5.2 or later (apt-get install libseccomp2)"
        ) from None
    return rules


def confine(
    uid: int,
    rules: Any,
    limits: Callable[[], None] | None = None,
    group: cgroups.Group | None = None,
) -> Callable[[], None]:
    """The child's pre-exec hook: join its cgroups (as root), set its rlimits, become `uid`
    with no groups, then load the seccomp filter, which exec and every fork inherit."""

    def apply() -> None:
        if group is not None:
            group.join()
        if limits is not None:
            limits()
        drop_privileges(uid)
        rules.load()

    return apply


def private_paths() -> list[Path]:
    """What the child must not reach: the grader's folders (the running copy and any
    installed one), the data sets installed packages bundle (labels included) and the paths
    in $DLGRADE_PRIVATE (Gradescope's source and results)."""
    named = os.environ.get(PRIVATE_VARIABLE, "").split(os.pathsep)
    datasets = hidden_folders(())  # no package is blocked by the file system at this level
    return [*grader_folders(), *datasets, *(Path(path) for path in named if path.strip())]


def make_private(paths: Iterable[Path]) -> None:
    """Remove other users' access (go-rwx) to each path and everything below it. Links below
    a path are left alone: their targets are not the grader's to change."""
    for top in (path.resolve() for path in paths):
        if not top.exists():
            continue
        for folder, folders, files in os.walk(top):
            for name in [*folders, *files]:
                path = Path(folder, name)
                if not path.is_symlink():
                    path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o077)
        top.chmod(stat.S_IMODE(top.lstat().st_mode) & ~0o077)


def _everything_in(roots: list[Path]) -> list[tuple[int, str, bool]]:
    """(root index, path, is a folder) for each root (its real path) and all below it; links
    below a root are not followed (the uid meets their targets where they are)."""
    found = []
    for index, root in enumerate(path.resolve() for path in roots):
        if not root.exists():
            continue
        found.append((index, str(root), root.is_dir()))
        for folder, folders, files in os.walk(root):
            found += [(index, os.path.join(folder, name), True) for name in folders]
            found += [(index, os.path.join(folder, name), False) for name in files]
    return found


@dataclass(frozen=True)
class Probe:
    """What a child started as the sandbox uid found: its ids, whether an AF_INET socket
    opened, and which of the roots it was given it could read."""

    uid: int
    gid: int
    groups: list[int]
    network: bool
    readable: list[Path]


def probe(uid: int, roots: Iterable[Path]) -> Probe:
    """Start uidprobe.py as `uid` under the child's seccomp filter and let it try every path
    under `roots`: a root is readable when it could list or write to a folder or read a
    file there (a folder closed to listing may still let a known name be opened)."""
    roots = list(roots)
    everything = _everything_in(roots)
    program = (HERE / "uidprobe.py").read_text()
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", program],
            input=json.dumps([(path, folder) for _, path, folder in everything]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=confine(uid, syscall_filter(seccomp_binding())),
            cwd="/",
        )
        if done.returncode != 0:
            raise OSError(done.stderr.strip()[-300:] or f"exit code {done.returncode}")
        found = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        raise UidUnavailable(
            f"a child could not start as uid {uid} under the seccomp filter ({error}): the "
            "kernel needs seccomp filters, and the container must allow setresuid and seccomp "
            "(Docker's default profile does)"
        ) from None
    reached = {everything[i][0] for i in found["reached"]}
    readable = [root for index, root in enumerate(roots) if index in reached]
    return Probe(found["uid"], found["gid"], found["groups"], found["network"], readable)


def running_as(uid: int) -> list[int]:
    """Live processes of `uid` in this PID namespace (a jail's, in its own, are left out)."""
    here = os.readlink("/proc/self/ns/pid")
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, ValueError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
            uids = {int(value) for value in fields["Uid"].split()[:3]}
            zombie = fields["State"].strip().startswith("Z")
            if uid in uids and not zombie and os.readlink(status.parent / "ns" / "pid") == here:
                found.append(int(status.parent.name))
    return found


def kill_uid(uid: int) -> None:
    """SIGKILL every process of `uid` until none is left: the slot's uid is the child's
    alone, so this catches what escaped the subreaper (say, after killing it first)."""
    cgroups.kill_until_gone(lambda: running_as(uid), rounds=200)


def remove_leftovers(uid: int) -> None:
    """Remove what `uid` left in the shared temporary folders, so that the next submission
    graded as that uid finds nothing of this one's (its processes are gone by now)."""
    for folder in SHARED_TEMPORARY:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)


@dataclass(frozen=True)
class UidLauncher:
    """Starts each child as uid UID_BASE + slot under the seccomp filter, supervised."""

    slot: int
    uid: int
    groups: cgroups.Cgroups | None
    level: str = "uid"

    @property
    def detail(self) -> str:
        """What protects the child, for the report."""
        limits = cgroups.limits_detail(self.groups)
        return (
            f"uid {self.uid} with no supplementary groups, a seccomp filter (no network "
            "sockets; no namespace, mount, ptrace, keyring, BPF or perf calls), grader files "
            f"and results closed to it, a private scratch folder, {limits}, a subreaper and a "
            "kill of everything left running as its uid"
        )

    @property
    def missing(self) -> tuple[str, ...]:
        gaps = [
            "a private view of the file system (the submission can read what any user may)",
            "a private /tmp (what it leaves in /tmp, /var/tmp and /dev/shm is removed after)",
            "a network namespace (Unix sockets reach local services open to any user)",
        ]
        if self.groups is None:
            gaps.append("cgroup limits (no writable cgroup: memory capped by address space)")
        return tuple(gaps)

    @classmethod
    def create(cls, slot: int | None = None) -> UidLauncher:
        """A launcher for this machine, or UidUnavailable saying what is missing."""
        if sys.platform != "linux":
            raise UidUnavailable(f"the uid level needs Linux's seccomp; this is {sys.platform}")
        if os.geteuid() != 0:
            raise UidUnavailable(
                "the uid level needs root, to switch the child to an unprivileged uid of its "
                "own (Gradescope runs autograders as root); as yourself, grade with "
                "--isolation process"
            )
        slot = os.getpid() % slots.SIZE if slot is None else slot  # a Sandbox takes its own
        uid = UID_BASE + slot
        problem = python_out_of_reach(uid)
        if problem:
            raise UidUnavailable(problem)
        found = probe(uid, private_paths())
        if (found.uid, found.gid, found.groups) != (uid, uid, []):
            raise UidUnavailable(
                f"the child ran as uid {found.uid}, gid {found.gid}, groups {found.groups} "
                f"instead of uid and gid {uid} with no groups"
            )
        if found.network:
            raise UidUnavailable(
                "the seccomp filter was loaded but an AF_INET socket still opened; the kernel "
                "must apply seccomp filters (CONFIG_SECCOMP_FILTER)"
            )
        if found.readable:
            named = " ".join(str(path) for path in found.readable)
            raise UidUnavailable(
                f"the sandbox uid {uid} can read {named}, which must be closed to it (the "
                "grader, the reference, hidden checks or results): chmod -R go-rwx "
                f"{named}, or run python tools/make_grader_private.py as root, which closes "
                "every folder the grader needs closed"
            )
        return cls(slot, uid, cgroups.detect())

    def for_slot(self, slot: int) -> UidLauncher:
        """This machine's uid level for slot `slot`: a uid of its own."""
        return dataclasses.replace(self, slot=slot, uid=UID_BASE + slot)

    def command(
        self, scratch: Path, reply_fd: int, source: str, limits: Limits, code: Code
    ) -> Command:
        # The scratch folder is root's: its group (the uid's own) may pass through it, read
        # the parent's arrays in the inbox and the copy of the submission, and write only in
        # its working folder. Other uids, other slots' children included, get nothing.
        gid = self.uid
        os.chown(scratch, 0, gid)
        scratch.chmod(0o710)
        inbox = scratch / "inbox"
        inbox.mkdir(exist_ok=True)
        os.chown(inbox, 0, gid)
        inbox.chmod(0o750)
        number = len(list(scratch.glob("work-*")))  # a fresh working folder for each child
        copy = scratch / f"submission-{number}"
        copy_submission(code.path, copy)
        os.chown(copy, 0, gid)
        copy.chmod(0o750)
        work = scratch / f"work-{number}"
        work.mkdir()
        os.chown(work, self.uid, gid)
        work.chmod(0o700)
        group = None
        if self.groups is not None:
            name = slots.cgroup_name(self.slot, f"{work.name}-{scratch.name}")
            group = cgroups.create(self.groups, name, limits.memory_mb * MiB, limits.processes)
        hook = confine(
            self.uid,
            syscall_filter(seccomp_binding()),
            rlimits(limits, address_space=group is None),
            group,
        )
        sys_path = (str(copy),) if code.path else ()
        return Command(
            supervised(reply_fd, source),
            str(work),
            child_env(work, limits),
            hook,
            sys_path,
            None,
            group,
        )

    def kill(self, proc: subprocess.Popen, command: Command) -> None:
        stop_supervisor(proc)
        kill_uid(self.uid)
        if command.group is not None:
            command.group.close()
        remove_leftovers(self.uid)

    def describe_exit(self, command: Command, code: int) -> str:
        words = describe_code(code)
        if command.group is not None and command.group.oom_killed():
            words += ": it went over the memory limit"
        return words
