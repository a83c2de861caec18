"""Time limits that load cannot break: count only the time the child could have used.

A limit (a call's, or a training budget) counts wall time less the time the child's threads
spent runnable but waiting for a CPU (the scheduler's run-queue wait, from
/proc/<pid>/task/*/schedstat), or the CPU time of its process tree, each per thread it may
use, whichever is more; and a thread ready to run is not stopped before it has had its
limit of CPU time (it may be waiting for a CPU right now). An honest function that answers
in microseconds never times out because the machine is busy, a training run gets the same
budget on a busy machine as on a quiet one, while code that sleeps, spins or forks
spinners still stops at its limit. A wall-clock backstop ends every wait; a child stopped
there before it had used its limit was kept from running by the machine, which is a fault
of ours, never a timeout against it.

Where /proc has no schedstat (macOS, Windows), the limits are plain wall time.
"""

from __future__ import annotations

import enum
import functools
import os
import time
from pathlib import Path

PROC = Path("/proc")
TICK = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01
CALL_BACKSTOP = (20.0, 30.0)  # per call: stop after 20 x the limit, at least 30 s
TRAINING_BACKSTOP = (3.0, 30.0)  # training: 3 x the budget, at least the budget + 30 s
POLL = 1.0  # training: how often (at most) the CPU time is read
MIN_STEP = 0.002  # looking costs the parent CPU time too: never more often than this


def descendants(root: int) -> list[int]:
    """`root` and every process below it, found through /proc/<pid>/task/*/children."""
    found, pending = [], [root]
    while pending and len(found) < 10_000:
        pid = pending.pop()
        found.append(pid)
        try:
            tasks = list((PROC / str(pid) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
    return found


Stats = dict[Path, tuple[int, int]]  # a thread's schedstat file -> (ns on a CPU, ns waiting)


class Tree:
    """The child's processes and their threads, remembered between calls, so that taking a
    call's baseline costs one small read per thread (a walk of /proc only when looking)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.pids: list[int] = [root]
        self.files: list[Path] = []
        self.refresh()

    def refresh(self) -> None:
        """Find the processes and threads again (the submission may have started more)."""
        self.pids = descendants(self.root)
        self.files = []
        for pid in self.pids:
            try:
                tasks = list((PROC / str(pid) / "task").iterdir())
            except OSError:
                continue
            self.files += [task / "schedstat" for task in tasks]

    def stats(self) -> Stats:
        """Each known thread's time on a CPU and time runnable but waiting for one."""
        found = {}
        for path in self.files:
            try:  # os-level reads: this runs before every call, so it must cost microseconds
                handle = os.open(path, os.O_RDONLY)
                try:
                    run, wait = os.read(handle, 128).split()[:2]
                finally:
                    os.close(handle)
                found[path] = (int(run), int(wait))
            except (OSError, ValueError):
                continue
        return found

    def runnable(self) -> bool:
        """True when a thread is running or ready to run (it may be waiting for a CPU now:
        the kernel adds a wait to schedstat only once it is over)."""
        for path in self.files:
            try:
                state = path.with_name("stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state == "R":
                return True
        return False

    def peak_memory_mb(self) -> float:
        """The largest resident set any of the processes has had so far (VmHWM), in MiB."""
        peak = 0
        for pid in descendants(self.root):
            try:
                status = (PROC / str(pid) / "status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))  # kB
        return round(peak / 1024, 1)

    def cpu(self) -> float:
        """CPU seconds of the processes (threads that ended and reaped children included)."""
        total = 0.0
        for pid in self.pids:
            try:
                fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            # utime, stime, cutime, cstime: fields 14-17 of proc(5), counted after the name.
            total += sum(int(value) for value in fields[11:15]) * TICK
        return total


@functools.cache
def measurable() -> bool:
    """True where this machine reports run-queue waits (Linux with schedstat)."""
    return (PROC / "self" / "schedstat").is_file()


class State(enum.Enum):
    RUNNING = "running"
    EXPIRED = "expired"  # the child used its limit: a timeout, the student's
    OVERLOADED = "overloaded"  # the backstop passed before it could use its limit: ours


class Deadline:
    """When a request's time is up, counting only the time the child could have used.

    `threads` is how many threads the child may keep busy (Limits.threads); `training`
    (a budget for a whole training run) counts the CPU time of processes and children
    that have ended too, reads it every tenth of the budget, and waits longer for a busy
    machine before the backstop.
    """

    def __init__(
        self,
        seconds: float,
        tree: Tree | None,
        *,
        threads: int = 1,
        training: bool = False,
        started: float | None = None,
    ) -> None:
        self.seconds = seconds
        self.tree = tree if measurable() else None
        self.threads = max(threads, 1)
        self.training = training
        self.started = time.monotonic() if started is None else started
        factor, floor = TRAINING_BACKSTOP if training else CALL_BACKSTOP
        self.backstop = self.started + max(factor * seconds, floor, seconds + floor)
        self.base: Stats = self.tree.stats() if self.tree else {}
        self.base_cpu = self.tree.cpu() if self.tree and training else 0.0
        self.cpu = self.waited = 0.0
        first = min(POLL, seconds / 10) if training else seconds
        self.next_look = self.started + first

    def pause(self) -> float:
        """How long the parent may wait for a reply before it must look again (0: now)."""
        return max(self.next_look - time.monotonic(), 0.0)

    def measure(self) -> None:
        """Read what the tree used since the request began."""
        if self.tree is None:
            return
        self.tree.refresh()
        ran = waited = 0
        for path, (run, wait) in self.tree.stats().items():
            base_run, base_wait = self.base.get(path, (0, 0))  # new threads: all of it
            ran += max(run - base_run, 0)
            waited += max(wait - base_wait, 0)
        self.waited = waited / 1e9
        self.cpu = self.tree.cpu() - self.base_cpu if self.training else ran / 1e9

    def look(self) -> State:
        """Decide, now that pause() is over: still running, expired, or overloaded."""
        if self.tree is None:
            return State.EXPIRED  # no schedstat here: the limit is plain wall time
        now = time.monotonic()
        self.measure()
        used = self.used(now)
        cpu = self.cpu / self.threads
        # By wall time less waits it is over its limit; but a thread ready to run that has
        # not had its limit of CPU time may be waiting for a CPU right now: look again.
        waiting = cpu < self.seconds and self.tree.runnable()
        if used >= self.seconds and not waiting:
            return State.EXPIRED
        if now >= self.backstop:
            # Not yet at its limit: it either slept (its own doing) or waited for a CPU.
            elapsed = now - self.started
            waited = self.waited / self.threads
            slept = elapsed - cpu - waited
            return State.OVERLOADED if waiting or waited >= slept else State.EXPIRED
        # Training reads its CPU time every tenth of its budget (a second apart at most). A
        # call looks again when its running time could first reach the limit, and at least
        # every tenth of it: forked spinners use CPU time faster than the wall clock runs.
        left = self.seconds - used
        step = min(POLL, self.seconds / 10) if self.training else min(left, self.seconds / 10)
        self.next_look = min(now + max(step, MIN_STEP), self.backstop)
        return State.RUNNING

    def cpu_per_thread(self) -> float:
        """CPU seconds per allowed thread the tree used so far, measured now (for metrics)."""
        self.measure()
        return self.cpu / self.threads

    def used(self, now: float) -> float:
        """The time counted against the limit so far."""
        return max((now - self.started) - self.waited / self.threads, self.cpu / self.threads)

    def overloaded_message(self, name: str) -> str:
        """Why the call could not be timed: a sentence for the report (a fault of ours)."""
        elapsed = time.monotonic() - self.started
        return (
            f"the machine was too loaded to time {name}: after {elapsed:.1f} s it had had "
            f"{self.used(time.monotonic()):.2f} s of running time of its {self.seconds:g} s limit "
            f"(it waited {self.waited:.1f} s for a CPU). Grade it again when the machine is "
            "less busy (fewer --workers, or nothing else running)"
        )
