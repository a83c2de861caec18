"""The `uid` isolation level (issue 15, part 1), outside any container.

For containers that forbid namespaces: the child runs as an unprivileged uid of its own
under a seccomp filter. Each attack is the reference self-check plus the attack, graded at
this level: it keeps its honest points and gains nothing, and nothing it starts outlives
grading. The end-to-end run in a simulated Docker container is in
tests/graders/platforms/test_container.py.
"""

from __future__ import annotations

import ast
import dataclasses
import errno
import os
import platform
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.sandbox import cgroups
from graders.sandbox.jail import UID_BASE
from tests.conftest import FULL, alive, grade_path, nothing_left_running, required

# The launcher's own slot, for the start-up probes; a Sandbox leases a slot of its own and
# grades as that slot's uid (the report says which): whatever still runs as it is a leak.
SLOT = 3911
UID = UID_BASE + SLOT
LIMITS = {"call_seconds": 2.0, "load_seconds": 20.0}

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() != "x86_64",
    reason="the uid level needs Linux; the raw system call numbers below are x86-64's",
)


@pytest.fixture(scope="module")
def launcher():
    """The uid level for SLOT, built directly: its start-up check refuses this checkout,
    which other users can read (a test below proves that)."""
    if os.geteuid() != 0:
        pytest.skip("only root can switch to the sandbox uid")
    from graders.sandbox.uidlevel import UidLauncher, seccomp_binding

    try:
        seccomp_binding()
    except Exception as error:
        required(f"no seccomp binding: {error}")
    return UidLauncher(SLOT, UID, cgroups.detect())


@pytest.fixture
def graded(launcher, make_submission):
    """graded(attack): the reference plus `attack`, graded at the uid level; then checks
    that nothing runs as the sandbox uid any more."""

    uids = []

    def run(attack: str, **limits: float):
        report = grade_path(make_submission(attack), launcher=launcher, **{**LIMITS, **limits})
        assert report.isolation == "uid"
        uids.append(uid_of(report))
        return report

    yield run
    for uid in uids:
        assert nothing_left_running(uid) == []


def uid_of(report) -> int:
    """The uid the report says the child ran as (its slot's)."""
    return int(re.search(r"uid (\d+)", report.isolation_detail).group(1))


def found(report) -> object:
    """What the attack put in Q7_EXPLANATION (a Python literal)."""
    return ast.literal_eval(report.explanations["Q7_EXPLANATION"])


def test_network_sockets_are_refused_and_unix_sockets_work(graded, server):
    port, received = server
    attack = f"""
import socket
seen = []
for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_DGRAM),
                     (socket.AF_NETLINK, socket.SOCK_RAW), (socket.AF_PACKET, socket.SOCK_RAW)):
    try:
        socket.socket(family, kind).close()
        seen.append("opened")
    except OSError as error:
        seen.append(error.errno)
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"leak")
    seen.append("connected")
except OSError as error:
    seen.append(error.errno)
left, right = socket.socketpair()
left.sendall(b"ok")
seen.append(right.recv(2).decode())
Q7_EXPLANATION = repr(seen)
"""
    report = graded(attack)
    assert report.score == FULL
    assert found(report) == [errno.EACCES] * 5 + ["ok"]  # the connection was refused, so
    assert received == []  # nothing can be on its way to the server


def test_namespace_mount_and_ptrace_calls_are_refused_but_threads_and_fork_work(graded):
    attack = """
import ctypes, os, threading
libc = ctypes.CDLL(None, use_errno=True)
seen = {}
def tried(name, result):
    seen[name] = ctypes.get_errno() if result == -1 else "allowed"
# Calls an unprivileged uid could otherwise make (a user namespace, a keyring, a
# perf event, ptrace) and calls it could not (mount, bpf): each must be refused by the filter.
tried("unshare", libc.unshare(0x10000000))  # CLONE_NEWUSER
tried("mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
tried("ptrace", libc.ptrace(0, 0, None, None))  # PTRACE_TRACEME
tried("bpf", libc.syscall(321, 0, None, 0))
tried("keyctl", libc.syscall(250, 0, -1, 0, 0, 0))  # KEYCTL_GET_KEYRING_ID
tried("perf_event_open", libc.syscall(298, None, 0, -1, -1, 0))
# clone with namespace flags, through the raw system call (glibc's fork never sets them)
pid = libc.syscall(56, 0x10000000 | 0x20000000 | 17, None, None, None, None)
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
tried("clone-newuser-newpid", pid)
done = []
worker = threading.Thread(target=lambda: done.append("thread"))
worker.start()
worker.join()
child = os.fork()
if child == 0:
    os._exit(7)
_, status = os.waitpid(child, 0)
done.append(os.waitstatus_to_exitcode(status))
seen["works"] = done
Q7_EXPLANATION = repr(seen)
"""
    report = graded(attack)
    assert report.score == FULL
    seen = found(report)
    assert seen.pop("works") == ["thread", 7]
    assert seen == dict.fromkeys(seen, 1), seen  # every one refused with EPERM
    assert len(seen) == 7


def test_runs_as_its_own_uid_without_groups_in_a_private_scratch_folder(graded):
    attack = """
import os, stat
here = os.stat(os.getcwd())
Q7_EXPLANATION = repr([os.getuid(), os.geteuid(), os.getgid(), os.getgroups(),
                       here.st_uid, oct(stat.S_IMODE(here.st_mode)),
                       os.environ["HOME"] == os.getcwd() == os.environ["TMPDIR"]])
"""
    report = graded(attack)
    assert report.score == FULL
    uid = uid_of(report)
    assert uid >= UID_BASE
    assert found(report) == [uid, uid, uid, [], uid, "0o700", True]
    assert "uid" in report.isolation_detail
    assert "seccomp" in report.isolation_detail


@pytest.fixture
def grader_files() -> Iterator[Path]:
    """A folder any user may pass through (as /autograder is), holding a grader file (0600)
    and a results folder (0700), both root's."""
    folder = Path(tempfile.mkdtemp(prefix="dlgrade-uid-", dir="/var/tmp"))
    folder.chmod(0o755)
    (folder / "hidden.py").write_text("ANSWER = 'grader-secret-7f3c'\n")
    (folder / "hidden.py").chmod(0o600)
    (folder / "results").mkdir(mode=0o700)
    yield folder
    shutil.rmtree(folder)


def test_cannot_read_a_grader_file_or_write_the_results(graded, grader_files):
    hidden, results = grader_files / "hidden.py", grader_files / "results" / "results.json"
    attack = f"""
seen = []
for path, mode in (({str(hidden)!r}, "r"), ({str(results)!r}, "w")):
    try:
        with open(path, mode) as opened:
            seen.append(opened.read() if mode == "r" else opened.write("{{}}"))
    except OSError as error:
        seen.append(type(error).__name__)
Q7_EXPLANATION = repr(seen)
"""
    report = graded(attack)
    assert report.score == FULL
    assert found(report) == ["PermissionError", "PermissionError"]
    assert not results.exists()
    assert "grader-secret-7f3c" not in str(report.to_dict())


DAEMON = """
import os, signal, time

def daemon(kill_supervisor=False):
    supervisor = os.getppid()  # the subreaper that would catch the orphan
    read, write = os.pipe()
    if os.fork() == 0:
        if kill_supervisor:
            os.kill(supervisor, signal.SIGKILL)
        os.setsid()
        if os.fork() == 0:
            for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(number, signal.SIG_IGN)
            os.write(write, str(os.getpid()).encode())
            while True:
                time.sleep(0.05)
        os._exit(0)
    return int(os.read(read, 20))
"""


@pytest.mark.parametrize("cgroup", [True, False], ids=["cgroup", "no-cgroup"])
@pytest.mark.parametrize("kill_supervisor", [False, True], ids=["daemon", "daemon-kills-reaper"])
def test_a_double_forked_daemon_is_reaped(launcher, make_submission, kill_supervisor, cgroup):
    # Without a cgroup (Gradescope's container has none writable), a daemon that killed the
    # subreaper first is caught only by the kill of everything running as the uid.
    if cgroup and launcher.groups is None:
        pytest.skip("no writable cgroup here")
    confined = launcher if cgroup else dataclasses.replace(launcher, groups=None)
    attack = f"{DAEMON}\nQ7_EXPLANATION = repr(daemon({kill_supervisor}))\n"
    report = grade_path(make_submission(attack), launcher=confined, **LIMITS)
    pid = found(report)
    try:
        assert nothing_left_running(uid_of(report)) == []
        assert not alive(pid), f"the daemon (pid {pid}) outlived grading"
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert report.score == FULL


def test_files_left_in_shared_temporary_folders_are_removed(graded):
    attack = """
import os
for folder in ("/tmp", "/dev/shm"):
    with open(os.path.join(folder, f"dlgrade-left-{os.getuid()}"), "w") as left:
        left.write("for the next student on this slot")
"""
    report = graded(attack)
    assert report.score == FULL
    for folder in ("/tmp", "/dev/shm"):
        assert not (Path(folder) / f"dlgrade-left-{uid_of(report)}").exists()


# -- the start-up checks -----------------------------------------------------------------


def test_what_the_sandbox_uid_can_read_is_found(launcher, grader_files):
    from graders.sandbox.uidlevel import probe

    closed = grader_files / "closed"
    closed.mkdir(mode=0o700)
    (closed / "answers.py").write_text("A = 1\n")
    passable = grader_files / "passable"  # no listing, but a known name opens
    passable.mkdir()
    passable.chmod(0o711)
    (passable / "answers.py").write_text("A = 1\n")
    (passable / "answers.py").chmod(0o644)
    roots = [closed, passable, grader_files / "results", grader_files / "hidden.py"]
    assert probe(UID, roots).readable == [passable]


def test_the_level_refuses_when_the_uid_could_read_a_private_folder(
    launcher, grader_files, monkeypatch
):
    from graders.sandbox.launch import Unavailable
    from graders.sandbox.uidlevel import PRIVATE_VARIABLE, UidLauncher

    shared = grader_files / "source"
    shared.mkdir(mode=0o755)
    (shared / "spec.toml").write_text("secret = true\n")
    (shared / "spec.toml").chmod(0o644)
    monkeypatch.setenv(PRIVATE_VARIABLE, f"{shared}{os.pathsep}{grader_files / 'results'}")
    with pytest.raises(Unavailable) as refused:
        UidLauncher.create(SLOT)
    message = f"{refused.value}"
    assert str(shared) in message
    assert str(grader_files / "results") not in message  # 0700 root's: unreadable
    assert "chmod -R go-rwx" in message
    assert "\n" not in message


def test_the_level_refuses_without_its_seccomp_binding(launcher, monkeypatch):
    from graders.sandbox import uidlevel
    from graders.sandbox.launch import Unavailable

    monkeypatch.setattr(uidlevel, "BINDINGS", ("dlgrade_no_such_binding",))
    with pytest.raises(Unavailable, match=r"pip install 'dlgrade\[uid\]'"):
        uidlevel.UidLauncher.create(SLOT)


def test_an_unprivileged_user_is_told_the_level_needs_root(monkeypatch):
    from graders.sandbox.launch import Unavailable
    from graders.sandbox.uidlevel import UidLauncher

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(Unavailable, match="needs root"):
        UidLauncher.create(SLOT)


def test_the_grader_folders_are_private_on_a_locked_install(launcher, tmp_path):
    # What setup.sh runs (tools/make_grader_private.py): afterwards the uid reads nothing.
    from graders.sandbox.uidlevel import make_private, probe

    folder = Path(tempfile.mkdtemp(prefix="dlgrade-uid-", dir="/var/tmp"))
    try:
        folder.chmod(0o755)
        (folder / "reference" / "deep").mkdir(parents=True)
        (folder / "reference" / "deep" / "answers.py").write_text("A = 1\n")
        for path in [folder / "reference", *(folder / "reference").rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        assert probe(UID, [folder / "reference"]).readable == [folder / "reference"]
        make_private([folder / "reference"])
        assert probe(UID, [folder / "reference"]).readable == []
        mode = stat.S_IMODE((folder / "reference" / "deep" / "answers.py").stat().st_mode)
        assert mode == 0o600
    finally:
        shutil.rmtree(folder)


def test_the_bundled_data_sets_are_among_the_private_paths():
    # scikit-learn ships the digits with their labels; the digits track asks for predictions.
    pytest.importorskip("sklearn")
    from graders.sandbox.uidlevel import private_paths

    names = {f"{path.parent.name}/{path.name}" for path in private_paths()}
    assert {"datasets/data", "datasets/descr", "datasets/images"} <= names
