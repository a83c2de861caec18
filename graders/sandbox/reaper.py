"""The `process` level's supervisor: nothing the submission starts outlives its grading.

The parent runs `python -I -B -S -c <this file> <reply fd> <child program>` (Linux only). This
process becomes a child subreaper, forks, and the fork runs the child program in a process
group of its own. Every process the submission starts, even a double-forked daemon that
leaves the session, is then either in the fork's tree or reparented here. When the fork
ends, or when the parent sends SIGTERM, everything left is SIGKILLed and reaped, and this
process ends the way the fork did, so the parent can still say how the child ended.

Like the child program, it imports nothing of the grader.
"""

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def descendants_here() -> list[int]:
    """This process's children (orphans reparented here included)."""
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as listing:
            return [int(pid) for pid in listing.read().split()]
    except OSError:
        return []


def kill_all() -> None:
    """SIGKILL every child and its process group, and reap, until none is left (a child may
    fork while we look)."""
    own = os.getpgid(0)
    while True:
        children = descendants_here()
        if not children:
            return
        for pid in children:
            try:
                group = os.getpgid(pid)
                if group != own:
                    os.killpg(group, signal.SIGKILL)
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for _ in children:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return


def end_like(status: int) -> None:
    """Exit the way the supervised process did: the same exit code, or the same signal."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def supervise(server: int) -> None:
    """Reap everything until the server ends (or the parent says stop); then kill the rest."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(1)
        if pid == server:
            kill_all()
            end_like(status)


def stop(*_: object) -> None:
    """The parent says grading is over: kill everything, then end."""
    kill_all()
    os._exit(1)


def main() -> None:
    signal.signal(signal.SIGTERM, stop)  # before the fork: no moment without it
    # Where the kernel refuses (before Linux 3.4), a daemon that leaves the session escapes,
    # as it would without us; the rest of the submission's process group is still killed.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    server = os.fork()
    if server == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setpgid(0, 0)  # the submission's own group: the parent's SIGTERM reaches us only
        return
    supervise(server)


main()
program = sys.argv.pop()
exec(compile(program, "<dlgrade child>", "exec"), {"__name__": "__main__"})  # noqa: S102
