"""Several gradings in one process (a Dask worker's threads) grade like one (issue 16)."""

from __future__ import annotations

import ast
import gc
import threading

import numpy as np

from graders.sandbox.wire import WireError, decode, encode
from graders.threads import serialise_parsing

SOURCE = "def f(x):\n    return [[(a, b) for a in range(3)] for b in x]\n" * 20


class Litter:
    """A cycle with a finalizer: the collector frees it in the middle of some allocation and
    runs Python code there, where the interpreter may switch threads."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        sum(range(50))


def test_parsing_in_several_threads_at_once_never_fails() -> None:
    # CPython before 3.11.8 and 3.12.2 kept the AST builder's recursion depth per interpreter
    # (gh-106905): a thread switch inside ast.parse raised "SystemError: AST constructor
    # recursion depth mismatch" in whichever thread parsed next. The grader once parsed in
    # every reply (each array's .npy header went through ast.literal_eval; arrays now cross
    # as raw bytes) and hypothesis parses source, so graded checks became "dlgrade could not
    # run this check", or hypothesis saw a failure vanish (Flaky). Replies are still decoded
    # in several threads at once, between the parses.
    serialise_parsing()
    blobs: list[bytes] = []
    data = encode([np.arange(12.0).reshape(3, 4)] * 3, blobs)  # three arrays, three blobs
    errors: list[BaseException] = []

    def untagged(tag: dict) -> None:
        raise WireError(f"unexpected tag {sorted(tag)}")

    def parse() -> None:
        for _ in range(400):
            try:
                Litter()
                assert [a.shape for a in decode(data, blobs, untagged, 100)] == [(3, 4)] * 3
                ast.parse(SOURCE)
            except SystemError as error:
                errors.append(error)
                return

    thresholds = gc.get_threshold()
    gc.set_threshold(50, 1, 1)  # collect often, so the switches come often
    try:
        threads = [threading.Thread(target=parse) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.set_threshold(*thresholds)
    assert errors == []


def test_serialising_is_done_once() -> None:
    serialise_parsing()
    parse = ast.parse
    serialise_parsing()
    assert ast.parse is parse
    assert ast.parse("x = 1").body[0].targets[0].id == "x"
