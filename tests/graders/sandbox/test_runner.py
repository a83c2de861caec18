"""The runner's plumbing: progress events, handles to objects left in the child, large
inputs passed as memory-mapped files, and captured output."""

from __future__ import annotations

import numpy as np
import pytest

from graders.cli import training_progress
from graders.sandbox.errors import BadReply, CallTimeout, GraderFault, MissingName, StudentError
from graders.sandbox.job import Code, Handle, Limits, Reporter
from graders.sandbox.runner import Sandbox
from graders.source import Chunk

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


MAPPED = """
import time

def half(x):
    if x < 0:
        raise ValueError("negative")
    if x == 99:
        while True:
            pass
    time.sleep(0.1 if x == 7 else 0)
    return x / 2
"""


@pytest.fixture
def mapped():
    with Sandbox(Code("m", (Chunk("m.py", MAPPED),)), Limits(call_seconds=0.5)) as box:
        yield box


def test_map_answers_each_call_in_order_in_one_request(mapped):
    outcomes = mapped.map("half", [(2,), (-1,), (4,)])
    assert outcomes[0] == 1.0
    assert isinstance(outcomes[1], StudentError)
    assert outcomes[1].message == "negative"
    assert outcomes[2] == 2.0


def test_map_gives_each_call_its_own_time_limit(mapped):
    # Six calls of 0.1 s each: 0.6 s in all, over the 0.5 s limit of one call, and fine.
    assert mapped.map("half", [(7,)] * 6) == [3.5] * 6


def test_map_stops_at_the_outcome_it_is_told_to(mapped):
    seen = []

    def negative(args, outcome):
        seen.append(args)
        return isinstance(outcome, StudentError)

    outcomes = mapped.map("half", [(2,), (-1,), (99,), (4,)], until=negative)
    assert len(outcomes) == 2
    assert seen == [(2,), (-1,)]
    # The hang after the flagged call was never the grader's question: no verdict on it.
    assert mapped.call("half", 8) == 4.0


def test_a_hang_before_any_flag_is_a_timeout_as_with_call(mapped):
    with pytest.raises(CallTimeout, match=r"did not return within 0\.5 s"):
        mapped.map("half", [(2,), (99,), (4,)])
    with pytest.raises(CallTimeout):  # remembered, like a call that hung
        mapped.call("half", 2)


def test_map_of_a_missing_function_says_so(mapped):
    with pytest.raises(MissingName):
        mapped.map("nope", [(1,)])


def test_a_child_that_cannot_import_what_the_assignment_needs_is_a_fault_of_ours():
    limits = Limits(preload=("no_such_library_here",))
    box = Sandbox(Code("m", (Chunk("m.py", "x = 1\n"),)), limits)
    with box, pytest.raises(GraderFault, match="cannot import no_such_library_here"):
        box.ensure_loaded()  # before any of the submission ran: never its load error
    assert box.load_failure is None


def test_a_fault_at_start_makes_a_report_that_is_no_grade(tmp_path):
    from graders.grading import grade
    from graders.spec import load_spec
    from graders.submission import load_submission

    spec = load_spec("selfcheck")
    (tmp_path / "selfcheck.py").write_text("Q1_ANSWER = 2\n")
    submission = load_submission(tmp_path / "selfcheck.py", spec.entry)
    report = grade(submission, spec, limits=Limits(preload=("no_such_library_here",)))
    assert not report.graded
    assert "cannot import no_such_library_here" in report.fault
    assert report.load_error == ""
