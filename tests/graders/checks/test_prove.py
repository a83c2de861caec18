"""The shortcut changes nothing: every zoo submission and real implementation gets the same
report (verdicts, messages, shrunk counterexamples) with the inputs drawn once and sent in
one request as with hypothesis's engine deciding every check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import strategies as st

from graders.checks.prove import InputBank, run_engine
from graders.spec import load_spec
from tests.conftest import grade_path
from tests.graders.checks.zoo import ZOO
from tests.graders.realworld.snippets import SNIPPETS

SPEC = load_spec("selfcheck")
ENGINE_ONLY = dataclasses.replace(SPEC, bank=dataclasses.replace(SPEC.bank, shortcut=False))
CASES = [(z[0], z[2]) for z in ZOO] + [(s.id, s.code) for s in SNIPPETS if s.verdict == "wrong"]


def comparable(report) -> dict:
    """A report without its timings, and without what the child printed: which calls ran
    differs (the fast path runs the drawn inputs in one request before the engine replays the
    failing one), so warnings printed once per line differ; the printed text is never scored."""
    data = report.to_dict()
    data.pop("seconds")
    data.pop("output")
    for question in data["questions"]:
        for check in question["checks"]:
            check.pop("seconds")
    return data


@pytest.mark.parametrize(("name", "code"), CASES, ids=[c[0] for c in CASES])
def test_the_shortcut_gives_hypothesis_own_report(make_submission, name, code) -> None:
    folder = make_submission(code)
    fast = grade_path(folder)
    engine = grade_path(folder, spec=ENGINE_ONLY)
    assert comparable(fast) == comparable(engine)


def test_the_drawn_inputs_are_hypothesis_first_inputs(tmp_path) -> None:
    strategy = st.tuples(st.integers(0, 1000), st.floats(-1, 1))
    bank = InputBank(tmp_path, "salt")
    seen: list = []

    def record(args) -> None:
        seen.append(args)

    run_engine(record, strategy, "check_x", 20)
    assert bank.inputs("check_x", strategy, 20) == tuple(seen)
    assert InputBank(tmp_path, "salt").inputs("check_x", strategy, 20) == tuple(seen)  # on disk
    assert list(tmp_path.iterdir())


def test_the_cache_depends_on_the_graders_drawing_code(monkeypatch) -> None:
    from graders.checks import prove

    before = InputBank.create("salt").salt
    assert InputBank.create("salt").salt == before
    monkeypatch.setattr(prove, "drawing_code", lambda: "changed strategies")
    assert InputBank.create("salt").salt != before


def test_an_unreadable_cache_file_is_drawn_again(tmp_path) -> None:
    strategy = st.tuples(st.integers(0, 9))
    first = InputBank(tmp_path, "salt").inputs("check_y", strategy, 5)
    for path in tmp_path.iterdir():
        path.write_bytes(b"\x00\x00\x00\x05{bad}")
    assert InputBank(tmp_path, "salt").inputs("check_y", strategy, 5) == first
    assert all(isinstance(args[0], int) for args in first)
    assert np.isfinite([a[0] for a in first]).all()
