"""reference/selfcheck.py works as a submission: imported by name from its own folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reference"

CONTRACT_NAMES = [
    "relu",
    "relu_backward",
    "softmax",
    "mse",
    "mse_grad",
    "backprop_delta1",
    "one_hot",
    "dropout",
    "l2_grad",
    "Q1_ANSWER",
    "Q4_ANSWER",
    "Q7_ANSWER",
    "Q8_ANSWER",
    "Q11_ANSWER",
    "Q12_ANSWER",
]

# Runs in the child: import the submission the way the grader does and describe it.
PROBE = """
import json
import numpy as np
import selfcheck
names = {n: type(getattr(selfcheck, n)).__name__ for n in dir(selfcheck) if not n.startswith("_")}
print(json.dumps({
    "file": selfcheck.__file__,
    "names": names,
    "all": list(selfcheck.__all__),
    "softmax_1000": selfcheck.softmax(np.array([1000.0, 1001.0])).tolist(),
    "q1": selfcheck.Q1_ANSWER,
}))
"""


@pytest.fixture(scope="module")
def probe():
    # No PYTHONPATH: only the submission's own folder (the cwd, via -c) is on sys.path,
    # so the import cannot fall back on the `reference` package.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REFERENCE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_imports_as_a_top_level_module(probe):
    assert Path(probe["file"]).resolve() == REFERENCE_DIR / "selfcheck.py"


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_defines_contract_name(probe, name):
    assert name in probe["names"]


def test_functions_are_functions_and_answers_are_plain_values(probe):
    for name in CONTRACT_NAMES:
        kind = probe["names"][name]
        if name.startswith("Q"):
            assert kind in {"float", "int", "str"}, (name, kind)
        else:
            assert kind == "function", (name, kind)


def test_all_lists_every_public_name(probe):
    assert set(CONTRACT_NAMES) <= set(probe["all"])
    assert set(probe["all"]) == set(probe["names"])


def test_works_end_to_end_in_the_child(probe):
    assert probe["q1"] == 2.0
    assert sum(probe["softmax_1000"]) == pytest.approx(1.0)


def test_plain_import_selfcheck_succeeds():
    # The exact command from the contract, with nothing else.
    proc = subprocess.run(
        [sys.executable, "-c", "import selfcheck"],
        cwd=REFERENCE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
