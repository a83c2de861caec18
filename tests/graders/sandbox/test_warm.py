"""Warm templates (graders.sandbox.warm): children forked from a jailed Python that imported
NumPy once must be as alone as children bubblewrap started, and grade the same.

What a fork must not share is the attack here: one submission plants what it can (files in
every writable place, a daemon, a signal to everything it can reach) and the next one, forked
from the same template, looks for it. The hostile submissions of test_hostile.py meet both
kinds of jail.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import pytest

from graders.sandbox.clock import descendants
from graders.sandbox.errors import GraderFault, SandboxStop
from graders.sandbox.jail import JailLauncher
from graders.sandbox.job import Code, Limits
from graders.sandbox.launch import kill_group
from graders.sandbox.runner import Sandbox, template_source
from graders.sandbox.warm import TEMPLATES, Template, Warm
from graders.source import Chunk
from tests.conftest import grade_path, jail_here, nothing_left_running, required
from tests.graders.checks.test_prove import CASES, comparable

LIMITS = Limits(call_seconds=2.0, load_seconds=8.0)
PLACES = ["/scratch", "/tmp", "/dev/shm", "/", "/dev", "/submission", "/inbox", "/slots"]

PLANTER = f"""
import ctypes, json, os, signal, time

PLACES = {PLACES!r}

def plant():
    try:
        os.kill(-1, signal.SIGKILL)  # everything it may signal (its template, it hopes)
    except OSError:
        pass
    wrote = []
    mounted = [line.split()[4] for line in open("/proc/self/mountinfo")]
    for place in dict.fromkeys(PLACES + mounted):
        try:
            with open(os.path.join(place, "planted-by-alice"), "w") as out:
                out.write("alice")
            wrote.append(place)
        except OSError:
            pass
    if os.fork() == 0:  # a daemon, for the next student
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(0.05)
        os._exit(0)
    return wrote
"""

LOOKER = f"""
import ctypes, json, os, resource, sys
import numpy as np

PLACES = {PLACES!r}
libc = ctypes.CDLL(None, use_errno=True)

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return line.split()[1]

def writable(folder):
    try:
        with open(os.path.join(folder, "planted-by-alice"), "w"):
            return True
    except OSError:
        return False

def look():
    found = {{}}
    mounted = [line.split()[4] for line in open("/proc/self/mountinfo")]
    for place in dict.fromkeys(PLACES + mounted):
        try:
            found[place] = sorted(os.listdir(place))
        except OSError as error:
            found[place] = f"{{error}}"
    return {{
        "found": found,
        "processes": sorted(p for p in os.listdir("/proc") if p.isdigit()),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "fds": sorted(os.listdir("/proc/self/fd")),
        "capabilities": status("CapEff"),
        "no_new_privs": status("NoNewPrivs"),
        "user_namespace": libc.unshare(0x10000000),
        "unmount_slots": libc.umount2(b"/slots", 2),
        "unmount_scratch": libc.umount2(b"/scratch", 2),
        "cpu_limit": resource.getrlimit(resource.RLIMIT_CPU)[0],
        "uid": os.getuid(),
        "python_writable": writable(sys.prefix) or writable(os.path.dirname(np.__file__)),
        "writable": sorted({{place for place in mounted if writable(place)}}),
    }}
"""


@pytest.fixture(scope="module")
def cold() -> JailLauncher:
    return jail_here() or required("the jail is unavailable here")


@pytest.fixture
def warm(cold) -> Iterator[Warm]:
    jail = Warm.create(cold, template_source())
    yield jail
    jail.close()


def run(launcher, source: str, name: str, limits: Limits = LIMITS):
    """Call `name` of a one-file submission `source` in a sandbox of its own."""
    with Sandbox(Code("student", (Chunk("student.py", source),)), limits, launcher) as box:
        return box.call(name)


def test_the_next_student_finds_nothing_the_last_one_left(warm):
    wrote = run(warm, PLANTER, "plant")
    seen = run(warm, LOOKER, "look")
    assert isinstance(warm.templates[LIMITS], Template)  # both were forked, not started cold
    assert wrote == ["/scratch", "/tmp", "/dev/shm"]  # each its own fresh tmpfs
    assert "planted-by-alice" not in json.dumps(seen["found"])
    assert seen["found"]["/slots"] == []  # no other student's copy, no template's folder
    assert seen["processes"] == ["1"]  # alone in its PID namespace: no daemon, no template
    assert seen["pid"] == 1
    assert seen["cwd"] == "/scratch"
    assert seen["fds"] == ["0", "1", "2", "3", "4"]  # its pipes, and the listing's own


def test_a_child_holds_no_privilege_and_cannot_undo_its_jail(warm, cold):
    seen = run(warm, LOOKER, "look")
    assert seen["capabilities"] == "0000000000000000"
    assert seen["no_new_privs"] == "1"
    assert seen["user_namespace"] == -1  # no user namespace of its own to gain privileges in
    assert seen["unmount_slots"] == -1
    assert seen["unmount_scratch"] == -1
    assert seen["cpu_limit"] == LIMITS.cpu_seconds
    assert seen["uid"] == warm.jail.uid
    assert seen["python_writable"] is False
    # A venv under /tmp is bound again on the child's fresh /tmp, still read-only, and so are
    # the empty folders covering what the track hides (shared by every fork of the template).
    assert seen["writable"] == ["/dev/shm", "/scratch", "/tmp"]
    started_cold = run(cold, LOOKER, "look")
    same = ("capabilities", "no_new_privs", "user_namespace", "cwd", "cpu_limit")
    for key in same:
        assert started_cold[key] == seen[key], key


def test_what_a_child_leaves_dies_with_it_and_the_template_lives_on(warm):
    assert run(warm, "def f():\n    return 1\n", "f") == 1
    template = warm.templates[LIMITS]
    idle = len(descendants(template.proc.pid))  # bubblewrap and the template, no fork
    run(warm, PLANTER, "plant")  # a daemon, and SIGKILL to everything it may signal
    assert template.alive()
    assert len(descendants(template.proc.pid)) == idle
    assert run(warm, LOOKER, "look")["processes"] == ["1"]
    assert warm.templates[LIMITS] is template
    warm.close()
    if warm.jail.uid != os.geteuid():
        assert nothing_left_running(warm.jail.uid) == []


def test_a_hang_costs_a_fork_and_the_next_call_runs_in_a_fresh_child(warm):
    source = "def spin():\n    while True:\n        pass\n\ndef pid():\n    return 1\n"
    limits = Limits(call_seconds=0.3)
    with Sandbox(Code("student", (Chunk("student.py", source),)), limits, warm) as box:
        first = box._proc
        with pytest.raises(SandboxStop, match=r"did not return within 0\.3 s"):
            box.call("spin")
        assert box.call("pid") == 1
        assert box._proc is not first
        assert box._proc.template is first.template


def test_where_no_template_starts_children_start_cold(cold, tmp_path):
    broken = Warm.create(cold, "import sys\nsys.exit(3)\n")
    try:
        assert run(broken, "def f():\n    return 6\n", "f") == 6
        assert isinstance(broken.templates[LIMITS], str)  # remembered: not tried again
        assert "the warm template ended" in broken.templates[LIMITS]
    finally:
        broken.close()


def test_threads_and_preloaded_libraries_start_cold(warm):
    assert warm.template(Limits(threads=2)) is None
    assert warm.template(Limits(preload=("torch",))) is None
    assert not warm.templates


def test_a_dead_template_is_replaced_every_time(warm):
    assert run(warm, "def f():\n    return 0\n", "f") == 0
    for attempt in (1, 2, 3):
        dead = warm.templates[LIMITS]
        dead.close()
        assert run(warm, f"def f():\n    return {attempt}\n", "f") == attempt
        assert isinstance(warm.templates[LIMITS], Template)
        assert warm.templates[LIMITS] is not dead


def test_a_template_that_dies_under_a_grading_is_a_fault_of_ours(warm):
    source = "def f():\n    return 1\n"
    with Sandbox(Code("student", (Chunk("student.py", source),)), LIMITS, warm) as box:
        assert box.call("f") == 1
        kill_group(warm.templates[LIMITS].proc)  # the machine's doing, not the student's
        with pytest.raises(GraderFault):
            box.call("f")
    assert not warm.templates[LIMITS].alive()
    assert run(warm, source, "f") == 1  # the next grading has a new one


def test_a_worker_lends_its_warm_jail_to_one_grading_at_a_time(cold):
    with TEMPLATES.lent(cold, template_source) as first:
        with TEMPLATES.lent(cold, template_source) as second:
            assert first is not second
            assert first.lease.number != second.lease.number
    with TEMPLATES.lent(cold, template_source) as again:
        assert again in (first, second)
    first.close()
    second.close()


SUBMISSIONS = [
    ("reference", ""),
    *CASES,  # the zoo, and the wrong implementations mined from public repositories
    ("hangs", "def softmax(z):\n    while True:\n        pass\n"),
    ("crashes", "import os\ndef mse(y_pred, y_true):\n    os._exit(3)\n"),
    ("raises-at-import", "raise RuntimeError('oops')\n"),
]


def same_slot(report: dict) -> dict:
    """The report as if graded in the same slot (the uid it names is the slot's)."""
    return {**report, "isolation_detail": re.sub(r"uid \d+", "uid N", report["isolation_detail"])}


def test_warm_and_cold_children_grade_every_submission_the_same(cold, make_submission):
    warm = Warm.create(cold, template_source())
    try:
        for name, code in SUBMISSIONS:
            folder = make_submission(code)
            started_cold = same_slot(comparable(grade_path(folder, launcher=cold)))
            forked = same_slot(comparable(grade_path(folder, launcher=warm)))
            assert forked == started_cold, name
        assert any(isinstance(t, Template) for t in warm.templates.values())
    finally:
        warm.close()
