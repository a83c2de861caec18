"""student_template/: the stubs import, define the contract, and are not already solved."""

import ast
import importlib.util
import inspect
import json
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from graders.cli import main
from graders.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = ROOT / "student_template"
TEMPLATE = TEMPLATE_DIR / "selfcheck.py"
NOTEBOOK = TEMPLATE_DIR / "selfcheck.ipynb"

SPEC = load_spec("selfcheck")
FUNCTIONS = list(SPEC.functions)
ANSWERS = list(SPEC.answers)
CONTRACT_NAMES = FUNCTIONS + ANSWERS
EXPLANATIONS = [q.explanation for q in SPEC.questions if q.explanation]

# Arguments that make each write-question stub reach its body.
STUB_CALLS = {
    "relu": (np.array([-1.0, 2.0]),),
    "relu_backward": (np.ones(2), np.array([-1.0, 2.0])),
    "mse": (np.zeros(3), np.ones(3)),
    "mse_grad": (np.zeros(3), np.ones(3)),
    "one_hot": (np.array([0, 2]), 3),
    "l2_grad": (np.ones(2), np.ones(2), 0.01),
}


@pytest.fixture(scope="module")
def template():
    # The template is our own code, so importing it in-process is safe here.
    spec = importlib.util.spec_from_file_location("student_template_selfcheck", TEMPLATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_names(namespace):
    return {
        name
        for name, value in namespace.items()
        if not name.startswith("_") and type(value).__name__ != "module"
    }


def test_template_imports_cleanly_in_a_subprocess():
    probe = "import json, selfcheck; print(json.dumps(sorted(dir(selfcheck))))"
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert set(CONTRACT_NAMES + EXPLANATIONS) <= set(json.loads(proc.stdout))


def test_template_imports_only_numpy():
    imports = [
        line.strip()
        for line in TEMPLATE.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("import ", "from "))
    ]
    assert imports == ["import numpy as np"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_exist_with_a_docstring(template, name):
    fn = getattr(template, name)
    assert callable(fn)
    assert fn.__doc__


@pytest.mark.parametrize("name", sorted(STUB_CALLS))
def test_write_stubs_raise_not_implemented(template, name):
    with pytest.raises(NotImplementedError, match=r"^Q\d+: "):
        getattr(template, name)(*STUB_CALLS[name])


@pytest.mark.parametrize("name", ANSWERS)
def test_answers_are_unset(template, name):
    assert getattr(template, name) is None


@pytest.mark.parametrize("name", EXPLANATIONS)
def test_explanations_are_empty(template, name):
    assert getattr(template, name) == ""


def test_softmax_stub_is_the_overflowing_version(template):
    z = np.array([1000.0, 1001.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = template.softmax(z)
    overflowed = any(issubclass(w.category, RuntimeWarning) for w in caught)
    assert overflowed or not np.all(np.isfinite(out))
    # ...yet it is right for small scores, so the bug really is only the overflow.
    small = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    e = np.exp(small)
    np.testing.assert_allclose(template.softmax(small), e / e.sum(axis=1, keepdims=True))


def test_backprop_stub_uses_the_wrong_weight_matrix(template):
    rng = np.random.default_rng(0)
    # Square shapes: the buggy code runs but gives the wrong values.
    W1, W2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    z1, delta2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    correct = (delta2 @ W2) * (z1 > 0)
    assert not np.allclose(template.backprop_delta1(delta2, W1, W2, z1), correct)
    # Non-square shapes: the buggy code cannot even multiply (N, out) by (hidden, in).
    W1, W2 = rng.normal(size=(5, 3)), rng.normal(size=(2, 5))
    z1, delta2 = rng.normal(size=(4, 5)), rng.normal(size=(4, 2))
    with pytest.raises(ValueError, match="matmul"):
        template.backprop_delta1(delta2, W1, W2, z1)


def test_dropout_stub_still_drops_at_evaluation(template):
    x = np.ones((10, 10))
    out = template.dropout(x, 0.5, False, np.random.default_rng(0))
    assert not np.array_equal(out, x)


def test_notebook_is_in_sync_with_the_script():
    assert main(["template", "-a", "selfcheck", "--check"]) == 0


def test_notebook_is_valid_nbformat_4_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


def test_notebook_has_a_cell_per_question():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    for q in range(1, len(SPEC.questions) + 1):
        assert sum(h.startswith(f"## Q{q} (") for h in headings) == 1, q


def test_notebook_code_cells_define_the_same_names(template):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
    namespace = {}
    exec(compile(code, str(NOTEBOOK), "exec"), namespace)
    assert _public_names(namespace) == _public_names(vars(template))
    assert set(CONTRACT_NAMES + EXPLANATIONS) <= _public_names(namespace)


# --- the digits mini-project template ------------------------------------------------------

DIGITS_TEMPLATE = TEMPLATE_DIR / "digits.py"
DIGITS_NOTEBOOK = TEMPLATE_DIR / "digits.ipynb"

# The contract the grader calls: each function's parameter names, in order.
DIGITS_SIGNATURES = {
    "init_params": ["n_in", "n_hidden", "n_out", "rng"],
    "forward": ["params", "X"],
    "loss": ["probs", "y"],
    "backward": ["params", "cache", "y"],
    "update": ["params", "grads", "lr"],
    "train": ["X", "y", "report"],
    "predict": ["params", "X"],
}
_DIGITS_PARAMS = {
    "W1": np.zeros((32, 64)),
    "b1": np.zeros(32),
    "W2": np.zeros((10, 32)),
    "b2": np.zeros(10),
}
_X = np.full((4, 64), 0.5)
_Y = np.array([0, 1, 2, 3])
# Arguments that make each digits stub reach its body.
DIGITS_STUB_CALLS = {
    "init_params": (64, 32, 10, np.random.default_rng(0)),
    "forward": (_DIGITS_PARAMS, _X),
    "loss": (np.full((4, 10), 0.1), _Y),
    "backward": (_DIGITS_PARAMS, {"X": _X}, _Y),
    "update": (_DIGITS_PARAMS, _DIGITS_PARAMS, 0.1),
    "train": (_X, _Y),
    "predict": (_DIGITS_PARAMS, _X),
}


@pytest.fixture(scope="module")
def digits_template():
    spec = importlib.util.spec_from_file_location("student_template_digits", DIGITS_TEMPLATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_template_imports_cleanly_in_a_subprocess():
    probe = "import json, digits; print(json.dumps(sorted(dir(digits))))"
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert set(DIGITS_SIGNATURES) <= set(json.loads(proc.stdout))


def test_digits_template_imports_only_numpy():
    source = DIGITS_TEMPLATE.read_text(encoding="utf-8")
    imports = [
        line.strip()
        for line in source.splitlines()
        if line.lstrip().startswith(("import ", "from "))
    ]
    assert imports == ["import numpy as np"]
    # The grader's NumPy-only rule reads the syntax tree, so check that way too.
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module)
    assert modules == {"numpy"}


@pytest.mark.parametrize("name", sorted(DIGITS_SIGNATURES))
def test_digits_functions_match_the_contract(digits_template, name):
    fn = getattr(digits_template, name)
    assert callable(fn)
    assert fn.__doc__
    assert list(inspect.signature(fn).parameters) == DIGITS_SIGNATURES[name]


def test_digits_train_reports_optionally(digits_template):
    assert inspect.signature(digits_template.train).parameters["report"].default is None


@pytest.mark.parametrize("name", sorted(DIGITS_STUB_CALLS))
def test_digits_stubs_raise_not_implemented(digits_template, name):
    with pytest.raises(NotImplementedError, match=r"^\w+: \w"):
        getattr(digits_template, name)(*DIGITS_STUB_CALLS[name])


def test_digits_notebook_is_in_sync_with_the_script():
    assert main(["template", "-a", "digits", "--check"]) == 0


def test_digits_notebook_is_valid_without_outputs():
    nb = nbformat.read(DIGITS_NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


def test_digits_notebook_code_cells_define_the_same_names(digits_template):
    nb = nbformat.read(DIGITS_NOTEBOOK, as_version=4)
    code = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
    namespace = {}
    exec(compile(code, str(DIGITS_NOTEBOOK), "exec"), namespace)
    assert _public_names(namespace) == _public_names(vars(digits_template))
    assert set(DIGITS_SIGNATURES) <= _public_names(namespace)
