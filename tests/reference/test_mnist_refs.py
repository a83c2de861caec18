"""Fast checks of the MNIST references on a small subset (the full runs are in benchmarks/)."""

import ast
import importlib
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from graders.data.mnist import as_float_features, load_mnist

ROOT = Path(__file__).resolve().parents[2]
REAL_DIR = ROOT.parent / "shared" / "data" / "mnist"
N_TRAIN, N_TEST = 2000, 1000
REFERENCES = ("mnist_mlp", "mnist_torch", "mnist_cnn")


def _module(name: str) -> ModuleType:
    """Import reference.<name>, skipping the test when it needs torch and torch is absent."""
    if name != "mnist_mlp":
        pytest.importorskip("torch")
    return importlib.import_module(f"reference.{name}")


@pytest.fixture(scope="module")
def subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first 2000 training and 1000 test digits as (N, 784) float32 and int64 labels."""
    if not (REAL_DIR / "t10k-labels-idx1-ubyte.gz").is_file():
        pytest.skip(f"no MNIST in {REAL_DIR}")
    data = load_mnist(REAL_DIR)
    return (
        as_float_features(data.train_images[:N_TRAIN]),  # (2000, 784)
        data.train_labels[:N_TRAIN].astype(np.int64),  # (2000,)
        as_float_features(data.test_images[:N_TEST]),  # (1000, 784)
        data.test_labels[:N_TEST].astype(np.int64),  # (1000,)
    )


@pytest.fixture(scope="module", params=REFERENCES)
def trained(
    request: pytest.FixtureRequest, subset: tuple[np.ndarray, ...]
) -> tuple[ModuleType, object, list[tuple[int, float]]]:
    """Each reference trained once on the subset: (module, model, reported (step, loss))."""
    module = _module(request.param)
    x_train, y_train, _, _ = subset
    reports: list[tuple[int, float]] = []
    model = module.fit(x_train, y_train, report=lambda step, loss: reports.append((step, loss)))
    return module, model, reports


def test_beats_80_percent_on_held_out_digits(trained: tuple, subset: tuple) -> None:
    module, model, _ = trained
    _, _, x_test, y_test = subset
    accuracy = float(np.mean(module.predict(model, x_test) == y_test))
    assert accuracy > 0.80, f"{module.__name__}: {accuracy:.1%} on {N_TEST} test digits"


def test_predict_returns_one_int_label_per_row(trained: tuple, subset: tuple) -> None:
    module, model, _ = trained
    _, _, x_test, _ = subset
    labels = module.predict(model, x_test[:37])
    assert isinstance(labels, np.ndarray)
    assert labels.shape == (37,)
    assert labels.dtype.kind == "i"
    assert labels.min() >= 0
    assert labels.max() <= 9


def test_report_gets_finite_falling_losses(trained: tuple) -> None:
    module, _, reports = trained
    assert len(reports) >= 2, f"{module.__name__} reported {len(reports)} times"
    steps = [step for step, _ in reports]
    losses = [loss for _, loss in reports]
    assert steps == sorted(steps)
    assert all(isinstance(loss, float) and math.isfinite(loss) for loss in losses)
    assert losses[-1] < 0.5 * losses[0]  # starts near log(10) = 2.3


@pytest.mark.parametrize("name", REFERENCES)
def test_same_seed_same_model(name: str, subset: tuple) -> None:
    module = _module(name)
    assert module.SEED == 0
    x_train, y_train, x_test, _ = subset
    first = module.predict(module.fit(x_train[:300], y_train[:300]), x_test)
    second = module.predict(module.fit(x_train[:300], y_train[:300]), x_test)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("name", REFERENCES)
def test_wrong_input_shape_is_refused(name: str) -> None:
    module = _module(name)
    with pytest.raises(ValueError, match="784"):
        module.fit(np.zeros((10, 28, 28), np.float32), np.zeros(10, np.int64))


def test_numpy_reference_imports_only_numpy_and_stdlib() -> None:
    tree = ast.parse((ROOT / "reference" / "mnist_mlp.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"collections", "dataclasses", "math", "numpy"}, imported
