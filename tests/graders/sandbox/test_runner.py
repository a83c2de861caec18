"""The runner's plumbing: progress events, handles to objects left in the child, large
inputs passed as memory-mapped files, and captured output."""

from __future__ import annotations

import numpy as np
import pytest

from graders.cli import training_progress
from graders.sandbox.errors import BadReply, MissingName
from graders.sandbox.runner import Chunk, Code, Handle, Reporter, Sandbox

SOURCE = """
import numpy as np

class Model:
    def __init__(self, mean):
        self.mean = mean

def fit(X, y, report=None):
    for step in range(3):
        report(step, 1.0 / (step + 1))
    X *= 2  # in place: allowed on the child's copy-on-write map, never seen by the file
    return Model(float(X.mean()))

def predict(model, X):
    return np.full(len(X), model.mean)

def shout():
    print("hello from the child")
    return 1
"""


@pytest.fixture
def sandbox():
    events = []
    box = Sandbox(
        Code("m", (Chunk("m.py", SOURCE),)), on_progress=lambda step, _loss: events.append(step)
    )
    box.events = events
    with box:
        yield box


def test_progress_reaches_the_parent_while_the_call_runs(sandbox):
    X = sandbox.put_array("X", np.ones((4, 3), dtype=np.float32))
    model = sandbox.call("fit", X, np.zeros(4), Reporter())
    assert isinstance(model, Handle)
    assert model.type == "Model"
    assert sandbox.progress == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    assert sandbox.events == [0, 1, 2]


def test_handles_and_memory_mapped_inputs(sandbox):
    X = sandbox.put_array("X", np.ones((4, 3), dtype=np.float32))
    model = sandbox.call("fit", X, np.zeros(4), Reporter())
    assert np.array_equal(sandbox.call("predict", model, np.zeros((2, 3))), [2.0, 2.0])
    assert np.load(X.path).max() == 1.0  # the child's in-place change stayed in the child


def test_output_is_captured_not_parsed(sandbox):
    assert sandbox.call("shout") == 1
    assert b"hello from the child" in bytes(sandbox.output)


def test_missing_names_and_unknown_handles(sandbox):
    with pytest.raises(MissingName):
        sandbox.call("nothing_here")
    with pytest.raises(BadReply, match="unusable arguments"):
        sandbox.call("predict", Handle(99), np.zeros((1, 3)))
    assert sandbox.call("shout") == 1  # a fresh child serves the next call


def test_progress_bar_accepts_updates_and_can_be_off():
    with training_progress(10.0, show=False) as update:
        assert update is None
    with training_progress(10.0, show=True) as update:
        update(5, 0.25)
