"""reference/pipelines.py: the digits MLP's gradients, loss, update, and accuracy on both tracks."""

import ast
import time
from pathlib import Path

import numpy as np
import pytest

from reference import pipelines
from reference.pipelines import backward, forward, init_params, loss, predict, train, update

SOURCE = Path(pipelines.__file__)
EPS = 1e-6
PARAM_SHAPES = {"W1": (5, 4), "b1": (5,), "W2": (3, 5), "b2": (3,)}


def _small_problem(seed: int = 0, n: int = 6):
    """A tiny float64 network (4 -> 5 -> 3) with inputs and labels, for gradient checks."""
    rng = np.random.default_rng(seed)
    params = init_params(4, 5, 3, rng)
    # Non-zero biases, so their gradients are tested away from the initial point too.
    params = {name: p + 0.1 * rng.normal(size=p.shape) for name, p in params.items()}
    X = rng.normal(size=(n, 4))
    y = rng.integers(0, 3, size=n)
    return params, X, y


def _relu_kink_is_far(params, X, margin=1e-3):
    z1 = X @ params["W1"].T + params["b1"]
    return np.min(np.abs(z1)) > margin


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_backward_matches_central_differences(seed, name):
    params, X, y = _small_problem(seed)
    # ReLU has a kink at z1 == 0; finite differences across it are not the derivative.
    assert _relu_kink_is_far(params, X)
    _, cache = forward(params, X)
    analytic = backward(params, cache, y)[name]
    assert analytic.shape == params[name].shape
    rng = np.random.default_rng(100 + seed)
    p = params[name]
    picks = {tuple(int(i) for i in rng.integers(0, p.shape)) for _ in range(6)}
    for index in picks:
        old = p[index]
        p[index] = old + EPS
        plus = loss(forward(params, X)[0], y)
        p[index] = old - EPS
        minus = loss(forward(params, X)[0], y)
        p[index] = old
        numeric = (plus - minus) / (2 * EPS)
        assert analytic[index] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (name, index)


def test_backward_returns_every_parameter_with_its_shape():
    params, X, y = _small_problem()
    grads = backward(params, forward(params, X)[1], y)
    assert set(grads) == set(params)
    for name, shape in PARAM_SHAPES.items():
        assert grads[name].shape == shape


def test_backward_divides_by_the_batch_size():
    # Repeating the batch twice leaves the mean loss, hence every gradient, unchanged;
    # dividing by the number of classes instead would double them.
    params, X, y = _small_problem()
    once = backward(params, forward(params, X)[1], y)
    twice = backward(params, forward(params, np.vstack([X, X]))[1], np.concatenate([y, y]))
    for name in params:
        np.testing.assert_allclose(twice[name], once[name], rtol=1e-12, atol=1e-15)


def test_backward_leaves_the_cache_unchanged():
    params, X, y = _small_problem()
    _, cache = forward(params, X)
    before = {k: v.copy() for k, v in cache.items()}
    backward(params, cache, y)
    for k, v in before.items():
        np.testing.assert_array_equal(cache[k], v)


def test_init_params_shapes_and_seeding():
    params = init_params(64, 32, 10, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (32, 64),
        "b1": (32,),
        "W2": (10, 32),
        "b2": (10,),
    }
    again = init_params(64, 32, 10, np.random.default_rng(0))
    for k in params:
        np.testing.assert_array_equal(params[k], again[k])
    assert np.std(params["W1"]) > 0  # random, not all equal: breaks the symmetry


def test_forward_shapes_and_rows_sum_to_one():
    params = init_params(64, 32, 10, np.random.default_rng(0))
    X = np.random.default_rng(1).random((7, 64))
    probs, cache = forward(params, X)
    assert probs.shape == (7, 10)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    assert cache["z1"].shape == cache["a1"].shape == (7, 32)


def test_forward_is_stable_for_huge_scores():
    params = init_params(64, 32, 10, np.random.default_rng(0))
    params["W2"] = params["W2"] * 1e4  # scores in the thousands would overflow a naive exp
    probs, _ = forward(params, np.random.default_rng(1).random((5, 64)))
    assert np.all(np.isfinite(probs))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)


def test_loss_on_a_hand_example():
    probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    y = np.array([0, 1])
    # -(log 0.5 + log 0.8) / 2
    expected = -(np.log(0.5) + np.log(0.8)) / 2
    out = loss(probs, y)
    assert type(out) is float
    assert out == pytest.approx(expected, rel=1e-12)


def test_loss_is_finite_when_the_true_class_has_probability_zero():
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    out = loss(probs, np.array([1, 1]))
    assert np.isfinite(out)
    assert out > 10  # very wrong is still a large loss


def test_update_returns_a_new_dict_and_does_not_mutate():
    params, X, y = _small_problem()
    grads = backward(params, forward(params, X)[1], y)
    before = {k: v.copy() for k, v in params.items()}
    new = update(params, grads, 0.1)
    assert new is not params
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        assert new[k] is not params[k]
        np.testing.assert_allclose(new[k], before[k] - 0.1 * grads[k])


def _digits():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    return digits.data / 16.0, digits.target


def _split(X, y):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def full_track():
    X, y = _digits()
    X_train, X_test, y_train, y_test = _split(X, y)
    losses: list[tuple[int, float]] = []
    start = time.perf_counter()
    params = train(X_train, y_train, report=lambda step, value: losses.append((step, value)))
    seconds = time.perf_counter() - start
    return params, X_test, y_test, losses, seconds


def test_full_track_reaches_93_percent(full_track):
    params, X_test, y_test, _, seconds = full_track
    predictions = predict(params, X_test)
    assert predictions.shape == y_test.shape
    assert predictions.dtype.kind in "iu"
    assert np.mean(predictions == y_test) >= 0.93
    assert seconds < 10


def test_small_track_reaches_50_percent():
    X, y = _digits()
    X_train, X_test, y_train, y_test = _split(X[:100], y[:100])
    assert len(X_train) == 80
    params = train(X_train, y_train)
    assert np.mean(predict(params, X_test) == y_test) >= 0.50


def test_report_gets_finite_falling_losses(full_track):
    *_, losses, _ = full_track
    assert len(losses) >= 10
    steps = [step for step, _ in losses]
    values = np.array([value for _, value in losses])
    assert steps == sorted(set(steps))
    assert all(type(value) is float for _, value in losses)
    assert np.all(np.isfinite(values))
    # Overall falling: the last tenth of the curve is far below the first tenth.
    tenth = max(1, len(values) // 10)
    assert values[-tenth:].mean() < 0.25 * values[:tenth].mean()


def test_train_is_deterministic():
    X, y = _digits()
    a = train(X[:200], y[:200])
    b = train(X[:200], y[:200])
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_train_rejects_bad_inputs():
    with pytest.raises(ValueError, match="64"):
        train(np.zeros((4, 63)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="labels"):
        train(np.zeros((4, 64)), np.array([0, 1, 2, 10]))


def test_module_imports_no_framework():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "must not import from the rest of the package"
            roots.add((node.module or "").split(".")[0])
    assert roots.isdisjoint({"torch", "sklearn", "tensorflow", "jax"}), roots
    assert roots <= {"numpy", "collections"}, roots
