"""The sandboxed child: loads the submission, then answers the grader's requests.

The parent runs this as `python -I -B -S -c <wire.py + this file>` so that nothing
of the grader needs to be importable (or even visible) inside the sandbox. It
computes no verdicts: it only runs the student's code and sends back plain data.
"""

from __future__ import annotations

import importlib
import linecache
import os
import random
import sys
import traceback
import types
from typing import Any

import numpy as np

from graders.sandbox.wire import WireError, decode, encode, frame, split_frame  # inlined

REQUEST_LIMIT = 1 << 31  # the parent is trusted; this only bounds a corrupt frame


def reseed() -> None:
    """Put Python's and NumPy's global generators back to one state, between calls.

    Every call starts from the same global random state: a submission that draws from
    np.random or random (not from the rng it is given) still gets the same grade on a rerun,
    whatever order the grader calls it in. Done after each reply, not before each call, so
    the call's own time limit never pays for it.
    """
    random.seed(0)
    np.random.seed(0)


class Child:
    """One submission's module, its opaque handles, and the two pipe ends."""

    def __init__(self, reply_fd: int) -> None:
        self.reply_fd = reply_fd
        self.module: types.ModuleType | None = None
        self.files: set[str] = set()
        self.handles: dict[int, Any] = {}
        self.blobs: list[bytes] = []
        self.buffer = bytearray()
        self.request_id: int | None = None  # echoed in every reply

    # -- pipe ---------------------------------------------------------------
    def send(self, header: dict, blobs: list[bytes] | None = None) -> None:
        for stream in (sys.stdout, sys.stderr):
            try:  # what the student printed reaches the parent before the reply does
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass  # closed or replaced by the student: their output, their loss
        view = memoryview(frame({**header, "id": self.request_id}, blobs))
        while view:
            view = view[os.write(self.reply_fd, view) :]

    def receive(self) -> tuple[dict, list[bytes]] | None:
        while True:
            parsed = split_frame(self.buffer, REQUEST_LIMIT)
            if parsed is not None:
                header, blobs, used = parsed
                del self.buffer[:used]
                return header, blobs
            chunk = os.read(0, 1 << 16)  # 64 KiB: big reads cost an mmap each
            if not chunk:
                return None
            self.buffer += chunk

    # -- values -------------------------------------------------------------
    def tag(self, data: dict) -> Any:
        """Rebuild the non-JSON arguments the parent may send."""
        if "rng" in data:
            return np.random.default_rng(data["rng"])
        if "handle" in data:
            return self.handles[data["handle"]]
        if "npy_file" in data:
            # Large inputs (a training set) come as a read-only memory map of a
            # file the parent wrote into the scratch folder, not through the pipe.
            # Copy-on-write ("c"): the student may scale or shuffle in place; the file stays.
            return np.load(data["npy_file"], mmap_mode="c", allow_pickle=False)
        if "reporter" in data:
            return self.reporter
        raise WireError(f"unknown argument tag {sorted(data)}")

    def reporter(self, step: Any, loss: Any) -> None:
        """The progress callback handed to a student's training loop."""
        try:
            self.send({"op": "progress", "step": int(step), "loss": float(loss)})
        except (TypeError, ValueError, OverflowError):
            pass  # a bad progress value is the student's to lose, not a crash

    def other(self, value: Any) -> Any:
        """Encode what the wire does not know: tensors as arrays, anything else as a handle."""
        if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
            return encode(value.detach().cpu().numpy(), self.blobs)
        # A trained model stays here; the parent only ever holds its number.
        self.handles[len(self.handles)] = value
        return {"handle": len(self.handles) - 1, "type": type(value).__name__}

    def reply(self, value: Any, **extra: Any) -> None:
        self.blobs = []
        try:
            data = encode(value, self.blobs, self.other)
        except (WireError, ValueError, TypeError, RecursionError) as error:
            self.send({"op": "reply", "ok": False, "bad": f"{error}", **extra})
            return
        self.send({"op": "reply", "ok": True, "value": data, **extra}, self.blobs)

    # -- student code -------------------------------------------------------
    def error(self, error: BaseException) -> dict:
        """Describe an exception with the traceback trimmed to the student's own files."""
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename in self.files]
        lines = traceback.format_list(frames)
        lines += traceback.format_exception_only(type(error), error)
        return {
            "type": type(error).__name__,
            "message": f"{error}"[:2000],
            "traceback": "".join(lines)[-4000:],
            "function": frames[-1].name if frames else "",  # where it was raised
        }

    def load(self, request: dict) -> None:
        # The track's rule (NumPy only, say) is what the child can import: in the jail those
        # modules are not even there; here they are refused by name. A None in sys.modules
        # makes `import torch` raise ModuleNotFoundError, and importlib.util.find_spec
        # answer None, so a library that probes for an optional one carries on without it.
        for name in request.get("blocked", ()):
            sys.modules[name] = None
        try:
            for name in request.get("preload", ()):
                importlib.import_module(name)
        except BaseException as error:  # the grader's environment lacks it: not the student's
            self.send({"op": "ready", "ok": False, "error": self.error(error)})
            return
        self.send({"op": "ready", "ok": True})  # from here on, what goes wrong is the code's
        module = types.ModuleType(request["module"])
        module.__file__ = request["chunks"][0]["name"] if request["chunks"] else None
        sys.modules[request["module"]] = module
        sys.path[:0] = request.get("path", [])
        for chunk in request["chunks"]:
            name, source = chunk["name"], chunk["source"]
            self.files.add(name)
            # Register the text so tracebacks can quote notebook cells too.
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        try:
            for chunk in request["chunks"]:
                code = compile(chunk["source"], chunk["name"], "exec", dont_inherit=True)
                exec(code, module.__dict__)  # noqa: S102 - running the submission is the child's job
        except BaseException as error:  # SystemExit too: a submission may not end the load
            self.send({"op": "loaded", "ok": False, "error": self.error(error)})
            return
        self.module = module
        reseed()
        self.send({"op": "loaded", "ok": True})

    def target(self, name: str) -> Any:
        """The student's function `name`, or None after replying why it cannot be called."""
        target = getattr(self.module, name, None)
        if target is None:
            self.send({"op": "reply", "ok": False, "missing": name})
        elif not callable(target):
            kind = type(target).__name__
            self.send({"op": "reply", "ok": False, "bad": f"{name} is a {kind}, not a function"})
            return None
        return target

    def arguments(self, data: Any, blobs: list[bytes]) -> Any:
        """Decoded arguments, or None after replying that they are unusable."""
        try:
            return decode(data, blobs, self.tag, 1 << 40)
        except (WireError, KeyError, ValueError, OSError) as error:
            self.send({"op": "reply", "ok": False, "bad": f"unusable arguments ({error!r})"})
            return None

    def invoke(self, target: Any, args: list, kwargs: dict, **extra: Any) -> None:
        """Run one call of the student's function and send its reply."""
        try:
            value = target(*args, **kwargs)
        except BaseException as error:  # SystemExit included: it fails this call only
            self.send({"op": "reply", "ok": False, "error": self.error(error), **extra})
        else:
            self.reply(value, **extra)
        reseed()

    def call(self, request: dict, blobs: list[bytes]) -> None:
        target = self.target(request["fn"])
        if target is None:
            return
        args = self.arguments(request["args"], blobs)
        kwargs = self.arguments(request.get("kwargs", {"dict": {}}), blobs)
        if args is not None and kwargs is not None:
            self.invoke(target, args, kwargs)

    def map(self, request: dict, blobs: list[bytes]) -> None:
        """Many calls in one request; a reply per call, each with its index, in order."""
        target = self.target(request["fn"])
        if target is None:
            return
        calls = self.arguments(request["calls"], blobs)
        for index, args in enumerate(calls or ()):
            self.invoke(target, args, {}, index=index)

    def get(self, request: dict) -> None:
        if not hasattr(self.module, request["name"]):
            self.send({"op": "reply", "ok": False, "missing": request["name"]})
            return
        self.reply(getattr(self.module, request["name"]))

    def serve(self) -> None:
        while (message := self.receive()) is not None:
            request, blobs = message
            self.request_id = request.get("id")
            if request["op"] == "load":
                self.load(request)
            elif request["op"] == "call":
                self.call(request, blobs)
            elif request["op"] == "map":
                self.map(request, blobs)
            elif request["op"] == "get":
                self.get(request)


if __name__ == "__main__":
    Child(int(sys.argv[1])).serve()
