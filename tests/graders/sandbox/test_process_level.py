"""The `process` isolation level: what it must still guarantee without the jail.

Nothing a submission starts may outlive its grading, even a double-forked daemon that
leaves the session and ignores SIGTERM (issue 10, part 5).
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from graders.sandbox.launch import ProcessLauncher
from tests.conftest import alive, grade_path

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the reaper needs Linux")

DAEMON = """
import os, signal, time

def start_daemon(pid_file):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            with open(pid_file, "w") as out:
                out.write(str(os.getpid()))
            while True:
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.3)  # let it write its pid
"""


def wait_gone(pid: int) -> bool:
    for _ in range(100):
        if not alive(pid):
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def daemon_pids():
    """The pids of daemons the test started; any still alive afterwards is killed."""
    found: list[int] = []
    yield found
    for pid in found:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("where", ["load", "call", "timeout"])
def test_double_forked_daemon_does_not_outlive_grading(
    make_submission, tmp_path, daemon_pids, where
):
    pid_file = tmp_path / "daemon.pid"
    attack = {
        "load": f"{DAEMON}\nstart_daemon({str(pid_file)!r})\n",
        "call": f"{DAEMON}\n_relu = relu\n\ndef relu(z):\n"
        f"    if not os.path.exists({str(pid_file)!r}):\n"
        f"        start_daemon({str(pid_file)!r})\n    return _relu(z)\n",
        "timeout": f"{DAEMON}\n\ndef relu(z):\n    start_daemon({str(pid_file)!r})\n"
        "    while True:\n        pass\n",
    }[where]
    report = grade_path(make_submission(attack), launcher=ProcessLauncher(), call_seconds=2.0)
    assert report.isolation == "process"
    daemon_pids.append(int(pid_file.read_text()))
    assert wait_gone(daemon_pids[0]), f"the daemon (pid {daemon_pids[0]}) outlived grading"
    assert report.score == (11 if where == "timeout" else 12)
