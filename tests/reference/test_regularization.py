"""reference.regularization: inverted dropout and the L2 gradient."""

import numpy as np
import pytest

from reference.regularization import dropout, l2_grad


def _x(shape=(4, 5), seed=0):
    # Strictly positive entries, so a dropped entry (0) can never be confused with a kept one.
    return np.random.default_rng(seed).uniform(1.0, 2.0, size=shape)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_dropout_is_identity_when_not_training(p):
    x = _x()
    rng = np.random.default_rng(0)
    out = dropout(x, p, training=False, rng=rng)
    np.testing.assert_array_equal(out, x)
    # Evaluation is deterministic: a second call gives the same result.
    np.testing.assert_array_equal(dropout(x, p, training=False, rng=rng), out)


def test_dropout_with_p_zero_is_identity_in_training():
    x = _x()
    np.testing.assert_array_equal(dropout(x, 0.0, training=True, rng=np.random.default_rng(0)), x)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_entries_are_zero_or_scaled(p):
    x = _x((30, 40))
    out = dropout(x, p, training=True, rng=np.random.default_rng(1))
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
    assert np.all(out[~kept] == 0)


def test_dropout_mask_is_rng_random_ge_p():
    x, p = _x((6, 7)), 0.3
    out = dropout(x, p, training=True, rng=np.random.default_rng(42))
    mask = np.random.default_rng(42).random(x.shape) >= p
    np.testing.assert_allclose(out, np.where(mask, x / (1 - p), 0.0), rtol=1e-12)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5])
def test_dropout_drop_fraction_is_near_p(p):
    x = np.ones(100_000)
    out = dropout(x, p, training=True, rng=np.random.default_rng(7))
    # the standard deviation of the fraction is sqrt(p (1 - p) / 1e5) <= 0.0016
    assert np.mean(out == 0) == pytest.approx(p, abs=0.01)
    # inverted dropout keeps the expected value: the mean stays close to 1
    assert np.mean(out) == pytest.approx(1.0, abs=0.02)


def test_dropout_same_seed_same_output_different_seed_different_output():
    x = _x((20, 20))
    a = dropout(x, 0.5, training=True, rng=np.random.default_rng(123))
    b = dropout(x, 0.5, training=True, rng=np.random.default_rng(123))
    c = dropout(x, 0.5, training=True, rng=np.random.default_rng(124))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_keeps_dtype(dtype):
    x = np.ones((3, 4), dtype=dtype)
    out = dropout(x, np.float64(0.25), training=True, rng=np.random.default_rng(0))
    assert out.dtype == dtype


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_invalid_p(p):
    with pytest.raises(ValueError, match="p"):
        dropout(np.ones(3), p, training=True, rng=np.random.default_rng(0))


def test_l2_grad_by_hand():
    grad = np.array([[0.5, -1.0], [0.0, 2.0]])
    w = np.array([[1.0, 2.0], [-3.0, 0.0]])
    np.testing.assert_allclose(l2_grad(grad, w, 0.1), [[0.6, -0.8], [-0.3, 2.0]])


def test_l2_grad_with_zero_lambda_is_the_loss_gradient():
    grad = np.random.default_rng(0).normal(size=(3, 4))
    w = np.random.default_rng(1).normal(size=(3, 4))
    np.testing.assert_array_equal(l2_grad(grad, w, 0.0), grad)
