"""The grader's side of the trust boundary: start a child, send requests, read plain replies.

Every limit is enforced from here: a wall-clock deadline on each request (the
whole process group is killed when it passes), rlimits set before the child
execs, caps on output and reply size. A child that hangs or dies costs the
request it was serving; the next request starts a fresh child.
"""

from __future__ import annotations

import os
import select
import selectors
import shutil
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.sandbox import launch, slots
from graders.sandbox.clock import Deadline, State, Tree
from graders.sandbox.errors import (
    BadReply,
    CallTimeout,
    ChildDied,
    GraderFault,
    LoadFailed,
    MissingName,
    SandboxStop,
    StudentError,
)
from graders.sandbox.job import Code, Handle, Limits, NpyFile, Reporter, Rng
from graders.sandbox.wire import WireError, decode, encode, frame, split_frame

if TYPE_CHECKING:
    import numpy as np

HERE = Path(__file__).parent
PROGRESS_LIMIT = 100_000  # progress events kept for the loss curve; later ones only count


def _error_of(reply: dict) -> dict:
    """The description of an exception in a reply: a dict, or an empty one for anything else."""
    error = reply.get("error")
    return error if isinstance(error, dict) else {}


def _untag(data: dict) -> Any:
    if set(data) == {"handle", "type"} and isinstance(data["handle"], int):
        return Handle(data["handle"], str(data["type"])[:100])
    raise WireError(f"unreadable value in reply: {str(data)[:80]}")


class Sandbox:
    """One submission graded in a child process (restarted after a hang or a crash)."""

    def __init__(
        self,
        code: Code,
        limits: Limits | None = None,
        launcher: launch.Launcher | None = None,
        on_progress: Callable[[int, float], None] | None = None,
    ) -> None:
        self.code = code
        self.limits = limits or Limits()
        # A slot of this machine for as long as this sandbox lives: its own uid, cgroups and
        # scratch folder, however many gradings run beside it (graders.sandbox.slots).
        self.slot = slots.Table.here().lease()
        self.launcher = (launcher or launch.ProcessLauncher()).for_slot(self.slot.number)
        self.threads = launch.child_threads(self.limits)  # how many the deadlines count
        self.on_progress = on_progress
        self.scratch = Path(tempfile.mkdtemp(prefix="dlgrade-", dir=self.slot.folder))
        self.output = bytearray()  # the child's stdout and stderr, capped
        self.output_dropped = 0
        self.progress: list[tuple[int, float]] = []  # (step, loss) reported by training code
        self.broken: dict[str, Exception | BaseException] = {}
        self.load_failure: LoadFailed | None = None
        self.cpu_seconds: dict[str, float] = {}  # CPU time per thread of each budgeted call
        self._proc: subprocess.Popen | None = None
        self._loaded = False
        self._sequence = 0  # request ids: a reply must answer the request just sent

    # -- lifecycle ------------------------------------------------------------
    @property
    def isolation(self) -> str:
        return self.launcher.level

    def start(self) -> None:
        """Spawn a child and send it the submission; the reply is read on first use."""
        if self._proc is not None:
            return
        stdin_r, stdin_w = os.pipe()
        reply_r, reply_w = os.pipe()
        out_r, out_w = os.pipe()
        try:
            command = self.launcher.command(
                self.scratch, reply_w, child_source(), self.limits, self.code
            )
            self._command = command
            if command.spawn is not None:
                self._proc = command.spawn(stdin_r, out_w, reply_w)
            else:
                self._proc = subprocess.Popen(
                    command.argv,
                    stdin=stdin_r,
                    stdout=out_w,
                    stderr=out_w,
                    pass_fds=(reply_w,),
                    cwd=command.cwd,
                    env=command.env,
                    start_new_session=True,  # its own process group, killed as one
                    preexec_fn=command.preexec,
                )
        except BaseException:
            for fd in (stdin_w, reply_r, out_r):
                os.close(fd)
            raise
        finally:
            for fd in (stdin_r, reply_w, out_w):
                os.close(fd)
        self._reply_fd, self._out_fd = reply_r, out_r
        self._stdin_fd = stdin_w
        os.set_blocking(self._stdin_fd, False)
        self._buffer = bytearray()
        self._selector = selectors.DefaultSelector()
        self._selector.register(reply_r, selectors.EVENT_READ)
        self._selector.register(out_r, selectors.EVENT_READ)
        self._started = time.monotonic()
        self._tree = Tree(self._proc.pid)  # the processes whose time the deadlines count
        self._loaded = False
        chunks = [{"name": c.name, "source": c.source} for c in self.code.chunks]
        request = {
            "op": "load",
            "module": self.code.module,
            "chunks": chunks,
            "blocked": list(self.limits.blocked),
            "preload": list(self.limits.preload),
        }
        self._pending = memoryview(frame({**request, "path": list(command.sys_path)}))
        self._ready = False

    def close(self) -> None:
        """Kill the child (and everything it started), remove the scratch folder, free the slot."""
        self._kill()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.slot.release()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _kill(self) -> None:
        if self._proc is None:
            return
        self.launcher.kill(self._proc, self._command)
        self._drain_output()
        self._selector.close()
        for fd in (self._reply_fd, self._out_fd, self._stdin_fd):
            os.close(fd)
        self._proc = None

    # -- requests ---------------------------------------------------------------
    def call(
        self,
        name: str,
        *args: Any,
        timeout: float | None = None,
        training_budget: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call the student's function `name` in the child and return its plain reply.

        `timeout` is counted as the time the child could have used (graders.sandbox.clock);
        `training_budget` marks a whole training run (a longer backstop; its CPU time per
        thread is recorded in `cpu_seconds`).
        """

        def request() -> tuple[dict, list[bytes]]:
            blobs: list[bytes] = []
            header = {
                "op": "call",
                "fn": name,
                "args": encode(list(args), blobs, self._tag),
                "kwargs": encode(kwargs, blobs, self._tag),
            }
            return header, blobs

        return self._request(name, request, timeout or self.limits.call_seconds, training_budget)

    def map(
        self,
        name: str,
        calls: Sequence[tuple[Any, ...]],
        until: Callable[[tuple[Any, ...], Any], bool] | None = None,
    ) -> list[Any]:
        """Call `name` once per argument tuple, as one request: the child answers each call
        in order, and each answer has the per-call time limit of its own.

        Each outcome is the reply or the StudentError raised. The list stops after the first
        outcome `until(args, outcome)` flags; the child's answers to the calls after it are
        read and dropped (a hang among them ends the child quietly: calling one at a time
        would never have reached it). A hang or a crash before then raises its SandboxStop,
        exactly as `call` would have.
        """
        calls = list(calls)
        if not calls:
            return []

        def request() -> tuple[dict, list[bytes]]:
            blobs: list[bytes] = []
            data = encode([list(args) for args in calls], blobs, self._tag)
            return {"op": "map", "fn": name, "calls": data}, blobs

        self._send(name, request)
        outcomes: list[Any] = []
        settled = False  # an outcome was flagged: the answers after it are dropped
        for index, args in enumerate(calls):
            try:
                reply, blobs = self._await(name, self.limits.call_seconds, quiet=settled)
            except SandboxStop:
                if settled:
                    return outcomes
                raise
            if settled:
                continue
            if "index" not in reply:  # the whole request was refused: not defined, not callable
                return [self._answer(name, reply, blobs)]
            if reply.get("index") != index:
                self._kill()
                raise BadReply(name, f"{name} sent its answers out of order")
            try:
                outcome = self._answer(name, reply, blobs)
            except StudentError as error:
                outcome = error
            outcomes.append(outcome)
            settled = until is not None and until(args, outcome)
        return outcomes

    def peak_memory_mb(self) -> float:
        """The most memory the child's processes have held at once so far, in MiB (0: no child,
        or no /proc to read it from)."""
        return self._tree.peak_memory_mb() if self._proc is not None else 0.0

    def get(self, name: str) -> Any:
        """The value of the module-level name `name` in the submission."""
        return self._request(
            name, lambda: ({"op": "get", "name": name}, []), self.limits.call_seconds
        )

    def put_array(self, name: str, array: np.ndarray) -> NpyFile:
        """Write a large input (a training set) for the child to memory-map, not to pipe."""
        inbox = self.scratch / "inbox"
        inbox.mkdir(mode=0o755, exist_ok=True)
        path = inbox / f"{name}.npy"
        import numpy as np  # here, not with the module: see graders.sandbox.wire

        np.save(path, array, allow_pickle=False)
        path.chmod(0o644)
        return NpyFile(str(path))

    def _tag(self, value: Any) -> Any:
        """Encode the argument markers the child rebuilds on its side."""
        if isinstance(value, Rng):
            return {"rng": value.seed}
        if isinstance(value, Handle):
            return {"handle": value.number}
        if isinstance(value, NpyFile):
            return {"npy_file": self._command.visible(value.path)}
        if isinstance(value, Reporter):
            return {"reporter": True}
        raise TypeError(f"cannot send {type(value).__name__} to the child")

    def _request(
        self,
        name: str,
        request: Callable[[], tuple[dict, list[bytes]]],
        seconds: float,
        training_budget: bool = False,
    ) -> Any:
        self._send(name, request)
        reply, blobs = self._await(name, seconds, training_budget=training_budget)
        return self._answer(name, reply, blobs)

    def _send(self, name: str, request: Callable[[], tuple[dict, list[bytes]]]) -> None:
        """Queue a request for `name` (after loading the submission, if not yet loaded)."""
        if self.load_failure is not None:
            raise self.load_failure
        if name in self.broken:
            raise self.broken[name]
        self.ensure_loaded()
        header, blobs = request()
        self._sequence += 1
        self._pending = memoryview(frame({**header, "id": self._sequence}, blobs))

    def _await(
        self, name: str, seconds: float, *, training_budget: bool = False, quiet: bool = False
    ) -> tuple[dict, list[bytes]]:
        """The child's next reply within the time limit, or the SandboxStop saying why not.

        A stop kills the child; unless `quiet`, it also marks `name` broken, so later
        requests for it fail the same way at once instead of hanging again.
        """
        deadline = Deadline(seconds, self._tree, threads=self.threads, training=training_budget)
        stop: SandboxStop
        try:
            reply, blobs = self._exchange(deadline)
        except _Timeout:
            if training_budget:
                self.cpu_seconds[name] = deadline.cpu_per_thread()
            stop = CallTimeout(
                name, f"{name} did not return within {seconds:g} s, so it was stopped"
            )
        except _Overloaded:
            self._kill()  # no verdict on the student: the next request starts a fresh child
            raise GraderFault(name, deadline.overloaded_message(name)) from None
        except _Ended as ended:
            stop = ChildDied(name, f"{name} ended the Python process ({ended})")
        except WireError as error:
            self._kill()  # the stream is out of step; never trust its next bytes
            raise BadReply(name, f"{name} sent a reply that could not be read: {error}") from None
        else:
            if training_budget:
                self.cpu_seconds[name] = deadline.cpu_per_thread()
            if reply.get("id") != self._sequence:
                self._kill()
                raise BadReply(
                    name, f"{name} sent a reply out of turn (something else wrote to the pipe)"
                )
            return reply, blobs
        self._kill()
        if not quiet:
            self.broken[name] = stop
        raise stop

    def _answer(self, name: str, reply: dict, blobs: list[bytes]) -> Any:
        """The value a reply carries, or the exception it reports (a bad reply kills the child:
        its next bytes cannot be trusted)."""
        try:
            return self._value(name, reply, blobs)
        except BadReply:
            self._kill()
            raise
        except WireError as error:
            self._kill()
            raise BadReply(name, f"{name} sent a reply that could not be read: {error}") from None

    def _value(self, name: str, reply: dict, blobs: list[bytes]) -> Any:
        if reply.get("ok") is True:
            try:
                return decode(reply.get("value"), blobs, _untag, self.limits.reply_elements)
            except WireError as error:
                raise BadReply(
                    name, f"{name} returned a value that is not accepted: {error}"
                ) from None
        if "missing" in reply:
            raise MissingName(name, f"your submission does not define {name}")
        if "bad" in reply:
            raise BadReply(name, f"{name} returned a value that is not accepted: {reply['bad']}")
        error = _error_of(reply)
        raise StudentError(
            name,
            str(error.get("type", "Exception"))[:100],
            str(error.get("message", ""))[:2000],
            str(error.get("traceback", ""))[:4000],
            function=str(error.get("function", ""))[:100],
        )

    def ensure_ready(self) -> None:
        """Wait until the child has started Python and imported what the assignment needs,
        before any of the submission runs: a child that cannot is a fault of ours.

        Every child proves its isolation level this way (the canary of every start): its
        interpreter runs there, NumPy and the assignment's libraries import there, and it
        answers on the wire."""
        if self._proc is not None and self._ready:
            return
        self.start()
        deadline = Deadline(
            max(self.limits.load_seconds, launch.READY_SECONDS),
            self._tree,
            threads=self.threads,
            started=self._started,
        )
        try:
            reply, _ = self._exchange(deadline)
        except (_Timeout, _Overloaded, _Ended, WireError) as error:
            said = bytes(self.output[-300:]).decode("utf-8", "replace").strip()
            self._kill()
            raise GraderFault(
                "start",
                f"the {self.isolation} sandbox could not start Python ({sys.executable}) "
                f"with {', '.join(('numpy', *self.limits.preload))}: "
                f"{said or type(error).__name__}",
            ) from None
        if reply.get("op") != "ready" or not reply.get("ok"):
            self._kill()
            error = _error_of(reply)
            raise GraderFault(
                "start",
                f"the {self.isolation} sandbox's Python cannot import "
                f"{', '.join(self.limits.preload)}: {error.get('type', '')}: "
                f"{str(error.get('message', ''))[:300]}",
            )
        self._ready = True

    def ensure_loaded(self) -> None:
        """Load the submission in the child (once); LoadFailed says why it could not be."""
        if self.load_failure is not None:
            raise self.load_failure
        if self._loaded and self._proc is not None:
            return
        self.ensure_ready()
        deadline = Deadline(
            self.limits.load_seconds,
            self._tree,
            threads=self.threads,
        )
        try:
            reply, _ = self._exchange(deadline)
        except _Overloaded:
            self._kill()
            raise GraderFault("load", deadline.overloaded_message("loading")) from None
        except _Timeout:
            self._kill()
            self.load_failure = LoadFailed(
                "load",
                f"loading your submission did not finish within {self.limits.load_seconds:g} s: "
                "is there an endless loop or a long computation at the top level? "
                'Move it under `if __name__ == "__main__":`.',
            )
            raise self.load_failure from None
        except (_Ended, WireError) as error:
            self._kill()
            said = bytes(self.output[-300:]).decode("utf-8", "replace").strip()
            self.load_failure = LoadFailed(
                "load",
                f"your submission ended the Python process while it was loading ({error}): "
                "does it call sys.exit(), os._exit() or quit() at the top level?"
                + (f" Its last output: {said}" if said else ""),
            )
            raise self.load_failure from None
        if reply.get("op") != "loaded" or not reply.get("ok"):
            self._kill()
            error = _error_of(reply)
            kind = str(error.get("type", "Exception"))[:100]
            message = str(error.get("message", ""))[:500]
            self.load_failure = LoadFailed(
                "load",
                f"your submission raised {kind} while loading: {message}",
                str(error.get("traceback", ""))[:4000],
                (kind, message),
            )
            raise self.load_failure
        self._tree.refresh()  # the submission's Python, and any process it started
        self._loaded = True

    # -- the pipe pump ------------------------------------------------------------
    def _exchange(self, deadline: Deadline) -> tuple[dict, list[bytes]]:
        """Write the pending request, then read until one reply frame is complete."""
        limit = self.limits.reply_mb << 20
        selector = self._selector
        if self._pending:
            # Most requests fit the pipe buffer: write at once, wait only for the rest.
            try:
                self._pending = self._pending[os.write(self._stdin_fd, self._pending) :]
            except BlockingIOError:
                pass
            except BrokenPipeError:
                raise _Ended(self._exit_status()) from None
            if self._pending and self._stdin_fd not in selector.get_map():
                selector.register(self._stdin_fd, selectors.EVENT_WRITE)
        due = False
        while True:
            parsed = split_frame(self._buffer, limit)
            if parsed is not None:
                header, blobs, used = parsed
                del self._buffer[:used]
                if header.get("op") == "progress":
                    self._progress(header)
                    continue
                return header, blobs
            if due:
                state = deadline.look()
                if state is not State.RUNNING and self._reply_waiting():
                    state = State.RUNNING  # it answered while we looked: read that first
                if state is State.EXPIRED:
                    raise _Timeout
                if state is State.OVERLOADED:
                    raise _Overloaded
            pause = deadline.pause()
            received = len(self._buffer)
            for key, _ in selector.select(pause):
                self._on_ready(key.fd, selector, limit)
            # Judge the child only once its time is up and no reply bytes came: a parent
            # that was itself kept from running first reads what the child already sent.
            due = pause <= 0 and len(self._buffer) == received

    def _reply_waiting(self) -> bool:
        """True when reply bytes are in the pipe, unread."""
        return bool(select.select([self._reply_fd], [], [], 0)[0])

    def _on_ready(self, fd: int, selector: selectors.BaseSelector, limit: int) -> None:
        if fd == self._stdin_fd:
            try:
                sent = os.write(fd, self._pending[: 1 << 20])
            except BrokenPipeError:
                raise _Ended(self._exit_status()) from None
            self._pending = self._pending[sent:]
            if not self._pending:
                selector.unregister(fd)
            return
        data = os.read(fd, 1 << 16)  # 64 KiB: the pipe buffer size; bigger reads cost an mmap
        if fd == self._out_fd:
            if not data:
                selector.unregister(fd)
            self._keep_output(data)
            return
        if not data:
            raise _Ended(self._exit_status())
        self._buffer += data
        if len(self._buffer) > limit + (1 << 21):
            raise WireError(f"the reply is over the {self.limits.reply_mb} MiB limit")

    def _drain_output(self) -> None:
        """Keep what the child printed just before it was stopped (up to the cap)."""
        os.set_blocking(self._out_fd, False)
        try:
            while data := os.read(self._out_fd, 1 << 16):
                self._keep_output(data)
        except OSError:  # BlockingIOError included: a daemon still holds the pipe open
            pass

    def _keep_output(self, data: bytes) -> None:
        """Keep output up to the cap; count (but drop) the rest, so a flood costs nothing."""
        room = max((self.limits.output_kb << 10) - len(self.output), 0)
        self.output += data[:room]
        self.output_dropped += len(data) - len(data[:room])

    def _progress(self, header: dict) -> None:
        step, loss = header.get("step"), header.get("loss")
        if not isinstance(step, int) or not isinstance(loss, (int, float)):
            return
        if len(self.progress) < PROGRESS_LIMIT:
            self.progress.append((step, float(loss)))
        if self.on_progress is not None:
            self.on_progress(step, float(loss))

    def _exit_status(self) -> str:
        if self._proc is None:
            return "no process"
        try:
            code = self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return "it closed its reply pipe"
        return self.launcher.describe_exit(self._command, code)


class _Timeout(Exception):
    pass


class _Ended(Exception):
    pass


class _Overloaded(Exception):
    pass


CHILD_MAIN = """
if __name__ == "__main__":
    Child(int(sys.argv[1])).serve()
"""


def template_source() -> str:
    """The warm template's program (graders.sandbox.template): the child's, whose classes the
    forks run, then the template's loop in place of the child's own main."""
    template = (HERE / "template.py").read_text()
    return child_source().replace(CHILD_MAIN, f"\n{template}")


def child_source() -> str:
    """The child program: wire.py, then the site folders put on sys.path, then child.py with
    the import of wire removed.

    The child runs with -S: `site` would cost 10 to 20 ms of every start (reading .pth
    files, running an editable install's import hook), and all the child needs of it is the
    folders it finds NumPy and the track's libraries in (site_paths).
    """
    wire = (HERE / "wire.py").read_text()
    child = (HERE / "child.py").read_text()
    child = child.replace("from __future__ import annotations\n", "")
    inlined = "from graders.sandbox.wire import WireError, decode, encode, frame, split_frame"
    child = child.replace(f"{inlined}  # inlined\n", "")
    folders = f"import sys\nsys.path.extend({site_paths()!r})\n"
    return f"{wire}\n{folders}\n{child}"


def site_paths() -> list[str]:
    """What `site` added to this Python's path: its site folders and the folders their .pth
    files name (site appends them after the standard library, in this order)."""
    sites = site.getsitepackages()
    first = next((i for i, entry in enumerate(sys.path) if entry in sites), len(sys.path))
    added = [entry for entry in sys.path[first:] if entry and os.path.exists(entry)]
    return added or [folder for folder in sites if os.path.isdir(folder)]  # we run with -S too
