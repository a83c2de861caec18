"""Deferred strategies: a contract's inputs cost nothing until drawn, and draw exactly what
hypothesis draws from the same calls."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnumpy

from graders import inputs
from graders.checks.prove import run_engine
from graders.strategies import Deferred, build, record, st
from tests.conftest import ROOT


def drawn(strategy: object, examples: int = 30) -> list:
    """What hypothesis's engine draws from `strategy` under the seed of one check."""
    seen: list = []

    def record_it(args: object) -> None:  # a test that always passes
        seen.append(args)

    run_engine(record_it, strategy, "check_drawn", examples)
    return seen


def same(first: list, second: list) -> bool:
    return len(first) == len(second) and all(
        len(a) == len(b) and all(np.array_equal(x, y) and type(x) is type(y) for x, y in zip(a, b))
        for a, b in zip(first, second)
    )


def test_a_deferred_array_draws_what_hypothesis_draws():
    deferred = Deferred("st", "tuples", (inputs.arrays(),))
    direct = hst.tuples(
        hnumpy.arrays(
            dtype=hst.sampled_from([np.dtype("float64"), np.dtype("float32")]),
            shape=hnumpy.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=7),
            elements=hst.floats(-1e4, 1e4, width=32, allow_nan=False, allow_subnormal=False),
        )
    )
    assert same(drawn(deferred), drawn(direct))


def test_a_deferred_composite_draws_what_hypothesis_draws():
    def pair(draw, scale):
        n = draw(st.integers(1, 5))
        return draw(st.lists(st.floats(-scale, scale), min_size=n, max_size=n)), n

    deferred = record("st", "composite", pair, 3.0)
    direct = hst.composite(pair)(3.0)  # `st` calls hypothesis itself once it is loaded
    assert drawn(deferred) == drawn(direct)


def test_chained_methods_are_replayed_in_order():
    doubled = Deferred("st", "integers", (1, 3)).map(lambda k: k * 2).filter(lambda k: k > 2)
    grown = Deferred("st", "integers", (1, 2)).flatmap(lambda n: record("st", "just", n * 10))
    assert set(drawn(doubled)) <= {4, 6}
    assert set(drawn(grown)) <= {10, 20}


def test_a_real_hypothesis_strategy_passes_through():
    strategy = hst.integers(0, 3)
    assert build(strategy) is strategy
    assert set(drawn(Deferred("st", "tuples", (strategy,)))) <= {(0,), (1,), (2,), (3,)}


def test_once_hypothesis_is_loaded_calls_go_straight_to_it():
    assert "hypothesis.strategies" in sys.modules  # this test module imported it
    assert isinstance(st.integers(0, 3), hst.SearchStrategy)


def test_a_misspelled_strategy_names_itself():
    with pytest.raises(AttributeError, match=r"st\.integerz is not a strategy"):
        Deferred("st", "integerz", (1, 6)).built


def test_the_repr_is_the_same_in_every_process():
    shown = repr(Deferred("st", "integers", (1, 40)).map(lambda k: k / 4))
    assert shown.startswith("st.integers(1, 40).map(")
    assert "0x" not in shown  # no memory address: drawn inputs are banked under this


def run_python(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_loading_every_assignment_leaves_hypothesis_unimported():
    loaded = run_python(
        """
        import sys
        from graders.spec import load_spec
        for name in ("selfcheck", "activations", "digits", "moons"):
            load_spec(name)
        print("hypothesis" in sys.modules)
        """
    )
    assert loaded == "False"


@pytest.mark.slow
def test_grading_from_banked_inputs_never_imports_hypothesis(tmp_path):
    grading = """
        import sys
        from pathlib import Path
        from graders.grading import grade
        from graders.sandbox.launch import ProcessLauncher
        from graders.spec import load_spec
        from graders.submission import load_submission
        spec = load_spec("selfcheck")
        submission = load_submission(Path("reference"), spec.entry)
        report = grade(submission, spec, launcher=ProcessLauncher())
        print(report.score, "hypothesis" in sys.modules)
        """
    cache = {"DLGRADE_CACHE": str(tmp_path)}
    first = run_python(grading, **cache)  # draws the inputs, with hypothesis, and banks them
    second = run_python(grading, **cache)
    assert (first.split()[1], second.split()[1]) == ("True", "False")
    assert first.split()[0] == second.split()[0] != "0"
