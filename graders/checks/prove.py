"""Proving a property on generated inputs: hypothesis's answer, at the speed of one request.

Hypothesis draws a check's inputs from a fixed seed, so until a submission fails, every
submission sees exactly the same inputs in the same order. We draw them once (and keep
them on disk, keyed by everything that could change them), send them to the child as
one request, and judge the replies here. Only when one fails does hypothesis's engine
run, from the start and with the same seed: it meets the same inputs, stops at the same
first failure, and shrinks it exactly as it would have without the shortcut. So the
verdict, its message and its shrunk counterexample are hypothesis's own; passing costs
one round trip instead of an engine run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graders.checks.core import Student, call_with, reply_of, seed_of
from graders.contract import Fail
from graders.sandbox.errors import StudentError
from graders.sandbox.wire import WireError, decode, encode, frame, split_frame
from graders.strategies import Deferred, build

CACHE_VARIABLE = "DLGRADE_CACHE"
FORMAT = "2"  # bump when the cache file layout changes (2: arrays as raw bytes)
# The grader's own code that shapes drawn inputs or their files: any change to it draws
# afresh, so a machine's old cache can never decide a grade that a fresh one would not.
DRAWING_CODE = ("inputs.py", "strategies.py", "contract.py", "checks/prove.py", "sandbox/wire.py")
MAX_CACHE_BYTES = 64 << 20
# The engine is not thread-safe (hypothesis keeps per-thread build contexts, but its
# shrinker and our child are shared): one engine run at a time per process.
ENGINE = threading.Lock()

One = Callable[[tuple[Any, ...], Any], None]  # judge one call: one(args, reply) or raise Fail


def run_engine(
    test: Callable[[tuple[Any, ...]], None], strategy: Deferred, key: str, examples: int
) -> None:
    """Run `test` under hypothesis with the check's seed; raise its shrunk failure.

    How hypothesis runs: seeded by the check, no database, no deadline (the sandbox times
    each call), shrinking on, quiet. Hypothesis is imported here, not with this module: a
    grading whose inputs are banked and that fails nothing never needs it.
    """
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

    engine = settings(
        max_examples=examples,
        derandomize=False,  # the explicit @seed below fixes the sequence instead
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        verbosity=Verbosity.quiet,
    )
    seeded = seed(seed_of(key))(given(build(strategy))(test))
    with ENGINE:
        engine(seeded)()


@dataclass
class InputBank:
    """Each check's generated inputs, drawn once per process and kept on disk."""

    folder: Path | None  # None: keep them in memory only
    salt: str  # what the inputs depend on besides the check: versions, the assignment's files
    drawn: dict[str, tuple[tuple[Any, ...], ...]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    shortcut: bool = True  # False: hypothesis's engine decides every check (tests compare)

    @classmethod
    def create(cls, salt: str) -> InputBank:
        """A bank in $DLGRADE_CACHE (or the user's cache folder), or in memory if neither works."""
        root = os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "dlgrade"
        folder = Path(root) / "inputs"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            folder = None
        versions = f"{hypothesis_version()}/{np.__version__}/{FORMAT}/{drawing_code()}"
        return cls(folder, hashlib.sha256(f"{versions}/{salt}".encode()).hexdigest())

    def inputs(self, key: str, strategy: Deferred, examples: int) -> tuple[tuple[Any, ...], ...]:
        """The inputs hypothesis draws first for the check `key`, in its order."""
        name = hashlib.sha256(f"{self.salt}/{key}/{examples}/{strategy!r}".encode()).hexdigest()
        with self.lock:
            if name not in self.drawn:
                self.drawn[name] = self._read(name) or self._draw(name, key, strategy, examples)
            return self.drawn[name]

    def _draw(
        self, name: str, key: str, strategy: Deferred, examples: int
    ) -> tuple[tuple[Any, ...], ...]:
        seen: list[tuple[Any, ...]] = []

        def record(args: tuple[Any, ...]) -> None:  # a test that always passes
            seen.append(args)

        run_engine(record, strategy, key, examples)
        drawn = tuple(seen)
        self._write(name, drawn)
        return drawn

    def _path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{name}.bin"

    def _read(self, name: str) -> tuple[tuple[Any, ...], ...] | None:
        """The inputs stored on disk, or None when absent or unreadable (then redrawn)."""
        path = self._path(name)
        try:
            data = path.read_bytes() if path is not None else b""
            parsed = split_frame(data, MAX_CACHE_BYTES) if data else None
            if parsed is None:
                return None
            header, blobs, _ = parsed
            value = decode(header["inputs"], blobs, _no_tags, 1 << 24)
            return tuple(tuple(args) for args in value)
        except (OSError, WireError, KeyError, TypeError, ValueError):
            return None

    def _write(self, name: str, drawn: tuple[tuple[Any, ...], ...]) -> None:
        path = self._path(name)
        if path is None:
            return
        blobs: list[bytes] = []
        try:
            data = frame({"inputs": encode([list(args) for args in drawn], blobs)}, blobs)
            partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(data)
            os.replace(partial, path)  # readers never see half a file
        except (OSError, WireError):
            pass  # an unwritable cache costs a redraw next time, nothing more


def drawing_code() -> str:
    """A digest of the grader's code that the drawn inputs depend on (DRAWING_CODE)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in DRAWING_CODE:
        digest.update(name.encode() + (package / name).read_bytes())
    return digest.hexdigest()


def hypothesis_version() -> str:
    """A digest of the installed hypothesis's version file: hypothesis.__version__ without
    importing hypothesis (importlib.metadata costs as much)."""
    spec = importlib.util.find_spec("hypothesis")
    try:
        return hashlib.sha256(Path(spec.origin).with_name("version.py").read_bytes()).hexdigest()
    except (AttributeError, TypeError, OSError):  # an unusual layout: ask hypothesis itself
        import hypothesis

        return hypothesis.__version__


def _no_tags(data: dict) -> Any:
    raise WireError(f"unexpected value in the inputs cache: {sorted(data)}")


def prove(
    student: Student,
    function: str,
    params: tuple[str, ...],
    one: One,
    strategy: Deferred,
    *,
    key: str,
    examples: int,
    bank: InputBank,
) -> None:
    """Every generated input satisfies `one(args, reply)`; else raise the shrunk failure.

    The fast path sends the drawn inputs in one request and judges the replies in order;
    the first failing one hands over to the engine, which finds and shrinks it itself.
    """

    def test(args: tuple[Any, ...]) -> None:
        one(args, call_with(student, function, params, args))

    if not bank.shortcut:
        run_engine(test, strategy, key, examples)
        return
    inputs = bank.inputs(key, strategy, examples)
    failed: list[tuple[Any, ...]] = []

    def fails(args: tuple[Any, ...], outcome: Any) -> bool:
        try:
            one(args, reply_of(outcome))
        except (Fail, StudentError):
            failed.append(args)
            return True
        return False

    student.map(function, inputs, until=fails)  # a hang or crash raises here, as call would
    if failed:
        run_engine(test, strategy, key, examples)
