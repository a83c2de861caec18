"""Warm templates: a batch worker's jail that has started Python and imported NumPy once, and
forks each submission's child from there (graders.sandbox.template says how a fork leaves
everything it shares behind before the submission's first byte).

A worker process keeps a `Warm` jail (a slot of its own, and a template per set of limits)
and lends it to one grading at a time (`Templates.lent`). Every template proves itself as it
starts:
it says ready once NumPy is imported, then forks a probe that locks itself down exactly as a
child does, and must end cleanly. A machine where that fails keeps the cold jail (a child
started by bubblewrap for every submission), which grades the same.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graders.sandbox import slots
from graders.sandbox.clock import descendants
from graders.sandbox.errors import GraderFault
from graders.sandbox.jail import (
    CHILD_PYTHON,
    INBOX,
    SUBMISSION,
    JailLauncher,
    Prepared,
    tmpfs_bytes,
)
from graders.sandbox.job import Code, Limits
from graders.sandbox.launch import (
    READY_SECONDS,
    Command,
    Unavailable,
    kill_group,
    rlimit_values,
)

SLOTS = "/slots"  # where a template sees the slot table (each fork covers it up again)
ANSWER_SECONDS = 30.0  # for a fork to say it is there, or how it ended after a SIGKILL
MESSAGE_BYTES = 1 << 16


class TemplateFailed(Unavailable):
    """A template could not start here, or stopped answering; the message says what it said."""


class Forked:
    """A child a template forked, as the runner sees a process: its pid (as we see it) and
    its exit code once it has ended."""

    def __init__(self, template: Template, pid: int) -> None:
        self.template = template
        self.pid = pid
        self.handle = os.pidfd_open(pid)  # signals reach this process, never a reused pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        """The child's exit code (128 + N for signal N), as its template reports it;
        subprocess.TimeoutExpired if it has not ended within `timeout` seconds."""
        if self.returncode is None:
            seconds = ANSWER_SECONDS if timeout is None else timeout
            try:
                self.returncode = self.template.ended(seconds)
            except TimeoutError:
                raise subprocess.TimeoutExpired(f"fork {self.pid}", seconds) from None
            except TemplateFailed as error:  # it took its children with it: not the student
                self._release()
                raise GraderFault("sandbox", f"{error}") from None
            self._release()
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the child: PID 1 of its namespace, so everything it started ends with it."""
        if self.handle >= 0:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.handle, signal.SIGKILL)

    def _release(self) -> None:
        if self.handle >= 0:
            os.close(self.handle)
            self.handle = -1


class Template:
    """One warm template: bubblewrap, as the slot's uid, running graders.sandbox.template."""

    def __init__(self, launcher: JailLauncher, limits: Limits, source: str, folder: Path) -> None:
        """Start a template as `launcher`'s uid, with `folder` (in the slot table) its own."""
        self.table = slots.Table.here()
        self.launcher = launcher
        self.limits = limits
        self.folder = folder
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        binds = [
            "--ro-bind", str(self.table.folder), SLOTS,
            "--dir", SUBMISSION,
            "--dir", INBOX,
        ]  # fmt: skip
        program = [*CHILD_PYTHON, "-c", source, str(theirs.fileno())]
        try:
            self.proc = subprocess.Popen(
                self.launcher.argv(limits, binds, program),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(theirs.fileno(),),
                cwd=folder,
                env={"PATH": "/usr/bin:/bin"},
                start_new_session=True,
                preexec_fn=self.launcher.drop,
            )
        except BaseException:
            self.control.close()
            raise
        finally:
            theirs.close()
        try:
            self._prove()
        except BaseException:
            self.close()
            raise

    def _prove(self) -> None:
        """Wait until NumPy is imported, then fork a probe that locks itself down and ends."""
        try:
            ready = self._answer(READY_SECONDS, "start")
        except TimeoutError:
            raise TemplateFailed("the warm template did not start in time") from None
        if ready.get("op") != "ready":
            raise TemplateFailed(f"the warm template did not start: {ready}")
        probe = self.folder / "probe"
        for folder in (probe / "submission", probe / "inbox"):
            folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        probe.chmod(0o755)
        with contextlib.ExitStack() as stack:
            fds = [os.open(os.devnull, os.O_RDWR) for _ in range(3)]
            for fd in fds:
                stack.callback(os.close, fd)
            self._request(probe / "submission", probe / "inbox", fds, probe=True)
        try:
            code = self.ended(ANSWER_SECONDS)
        except TimeoutError:
            raise TemplateFailed("the warm template's probe did not end") from None
        if code != 0:
            raise TemplateFailed(f"the warm template's probe ended with exit code {code}")

    def _said(self) -> str:
        """What the template printed (it prints only when it could not start)."""
        if self.proc.stdout is None:
            return ""
        os.set_blocking(self.proc.stdout.fileno(), False)
        with contextlib.suppress(OSError, TypeError):  # nothing there (yet)
            return (self.proc.stdout.read(2000) or b"").decode(errors="replace").strip()
        return ""

    def _answer(self, seconds: float, doing: str) -> dict:
        """The template's next message; TimeoutError after `seconds`, TemplateFailed if it
        ended or said something unreadable."""
        self.control.settimeout(seconds)
        try:
            data = self.control.recv(MESSAGE_BYTES)
        except TimeoutError:
            raise
        except OSError as error:
            raise TemplateFailed(f"the warm template did not answer ({doing}): {error}") from None
        if not data:
            said = self._said()
            raise TemplateFailed(f"the warm template ended ({doing}){': ' if said else ''}{said}")
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            raise TemplateFailed(f"the warm template said something unreadable ({doing})")
        return message

    def _request(self, submission: Path, inbox: Path, fds: list[int], probe: bool = False) -> int:
        """Ask for a fork with `fds` as its stdin, output and reply pipes; its pid (inside)."""
        request = {
            "submission": self._inside(submission),
            "inbox": self._inside(inbox),
            "tmpfs_bytes": tmpfs_bytes(self.limits),
            "rlimits": rlimit_values(self.limits, address_space=self.launcher.groups is None),
            "probe": probe,
        }
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], fds)
            answer = self._answer(ANSWER_SECONDS, "fork")
        except TimeoutError:
            raise TemplateFailed("the warm template did not fork in time") from None
        if answer.get("op") != "forked" or not isinstance(answer.get("pid"), int):
            raise TemplateFailed(f"the warm template could not fork: {answer.get('error')}")
        return answer["pid"]

    def _inside(self, path: Path) -> str:
        """Where the template sees a path in the slot table."""
        return f"{SLOTS}/{path.relative_to(self.table.folder)}"

    def _ours(self, theirs: int) -> int:
        """The pid we see for the fork the template knows as `theirs` (its PID namespace is one
        level below ours: /proc/<pid>/status lists a pid for each, ours first)."""
        for pid in descendants(self.proc.pid):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("NSpid:") and line.split()[2:3] == [f"{theirs}"]:
                        return pid
        raise TemplateFailed(f"the warm template's fork (pid {theirs} inside) is not there")

    def spawn(self, prepared: Prepared, stdin: int, output: int, reply: int) -> Forked:
        """Fork a child for one submission (its files and cgroups ready in `prepared`)."""
        try:
            inside = self._request(prepared.copy, prepared.inbox, [stdin, output, reply])
            pid = self._ours(inside)  # it waits for its first request: it is there to find
            forked = Forked(self, pid)
            if prepared.group is not None:
                prepared.group.add(pid)  # as root, before the submission's first byte is sent
        except (TemplateFailed, OSError, ValueError) as error:
            self.close()  # with whatever it forked: a template that failed once is not reused
            raise GraderFault("start", f"the warm template could not fork: {error}") from None
        return forked

    def ended(self, seconds: float) -> int:
        """Wait for the fork under way to end; its exit code."""
        answer = self._answer(seconds, "end")
        if answer.get("op") != "ended" or not isinstance(answer.get("code"), int):
            raise TemplateFailed(f"the warm template said {answer} for an end")
        return answer["code"]

    def alive(self) -> bool:
        return self.proc.poll() is None and self.control.fileno() >= 0

    def close(self) -> None:
        """Stop the template (and any fork of it), and remove its folder."""
        kill_group(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.control.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(eq=False)
class Warm:
    """The jail, with each child forked from a warm template for its limits where one can be
    (else started cold, by bubblewrap): a launcher (graders.sandbox.launch) for one grading at
    a time. `close` stops its templates."""

    jail: JailLauncher  # as the uid of `lease`'s slot, which every child of this Warm runs as
    source: str  # the template's program (graders.sandbox.runner.template_source)
    lease: slots.Lease
    # By limits: the template, or why none can start here (then those children start cold).
    templates: dict[Limits, Template | str] = field(default_factory=dict)
    level: str = "jail"

    @classmethod
    def create(cls, jail: JailLauncher, source: str) -> Warm:
        """A warm jail with a slot of its own (its uid and its templates' folders)."""
        lease = slots.Table.here().lease()
        return cls(jail.for_slot(lease.number), source, lease)

    @property
    def detail(self) -> str:
        return self.jail.detail  # the same protections, each child's own

    @property
    def missing(self) -> tuple[str, ...]:
        return self.jail.missing

    def for_slot(self, slot: int) -> Warm:
        return self  # its children run as its own slot's uid, warm or cold

    def template(self, limits: Limits) -> Template | None:
        """The running template for `limits`, started if need be; None if none can be."""
        if limits.threads != 1 or limits.preload:
            return None  # a fork takes neither BLAS's thread pool nor PyTorch's threads along
        found = self.templates.get(limits)
        if isinstance(found, Template) and found.alive():
            return found
        if isinstance(found, str):
            return None
        try:
            folder = Path(tempfile.mkdtemp(prefix="template-", dir=self.lease.folder))
            folder.chmod(0o755)  # the slot's uid works there
            self.templates[limits] = Template(self.jail, limits, self.source, folder)
        except (Unavailable, OSError) as error:
            self.templates[limits] = f"{error}"
            return None
        return self.templates[limits]

    def command(
        self, scratch: Path, reply_fd: int, source: str, limits: Limits, code: Code
    ) -> Command:
        template = self.template(limits)
        if template is None:
            return self.jail.command(scratch, reply_fd, source, limits, code)
        ready = template.launcher.prepare(scratch, limits, code)
        spawn = functools.partial(template.spawn, ready)
        return Command([], str(scratch), {}, None, ready.sys_path, ready.paths, ready.group, spawn)

    def kill(self, proc: Forked | subprocess.Popen, command: Command) -> None:
        if not isinstance(proc, Forked):
            self.jail.kill(proc, command)
            return
        proc.kill()
        try:
            proc.wait()
        except (GraderFault, subprocess.TimeoutExpired):
            proc.template.close()  # it did not see its fork end: never trust it with another
        if command.group is not None:
            command.group.close()  # anything that slipped out (nothing can: belt and braces)

    def describe_exit(self, command: Command, code: int) -> str:
        return self.jail.describe_exit(command, code)

    def close(self) -> None:
        """Stop its templates (and their children) and free its slot."""
        for template in self.templates.values():
            if isinstance(template, Template):
                template.close()
        self.lease.release()


class Templates:
    """A worker process's warm jails, one per jail; each lent to one grading at a time.

    One object per process (`TEMPLATES`): the templates are the process's children, and die
    with it (bubblewrap's --die-with-parent).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: dict[JailLauncher, list[Warm]] = {}

    @contextlib.contextmanager
    def lent(self, jail: JailLauncher, source: Callable[[], str]) -> Iterator[Warm]:
        """A warm jail for one grading, given back when it ends; `source` gives the template's
        program, read only when this process makes its warm jail."""
        with self.lock:
            idle = self.idle.setdefault(jail, [])
            warm = idle.pop() if idle else None
        warm = warm or Warm.create(jail, source())
        try:
            yield warm
        finally:
            with self.lock:
                self.idle[jail].append(warm)


TEMPLATES = Templates()
