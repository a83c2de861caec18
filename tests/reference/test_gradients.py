"""Backward passes in reference/ against central finite differences, in float64."""

import numpy as np
import pytest

from reference.activations import relu, relu_backward
from reference.backprop import backprop_delta1
from reference.losses import mse, mse_grad
from reference.regularization import l2_grad

EPS = 1e-6


def numerical_grad(f, x, eps=EPS):
    """dF/dx by central differences, (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), per entry."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _away_from_zero(rng, shape, margin=0.1):
    # ReLU has a kink at 0; keeping |z| >= margin > EPS makes the finite differences exact.
    z = rng.normal(size=shape)
    return np.where(np.abs(z) < margin, np.sign(z + 1e-12) * margin, z)


@pytest.mark.parametrize("shape", [(7,), (3, 5)])
def test_relu_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(0)
    z = _away_from_zero(rng, shape)
    dout = rng.normal(size=shape)
    numeric = numerical_grad(lambda z_: np.sum(dout * relu(z_)), z.copy())
    np.testing.assert_allclose(relu_backward(dout, z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("shape", [(6,), (4, 3), (2, 7)])
def test_mse_grad_matches_finite_differences(shape):
    rng = np.random.default_rng(1)
    y_pred, y_true = rng.normal(size=shape), rng.normal(size=shape)
    numeric = numerical_grad(lambda y: mse(y, y_true), y_pred.copy())
    np.testing.assert_allclose(mse_grad(y_pred, y_true), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("n", "n_in", "hidden", "out"), [(4, 3, 5, 2), (1, 2, 3, 4), (6, 5, 2, 3)])
def test_backprop_delta1_matches_finite_differences(n, n_in, hidden, out):
    rng = np.random.default_rng(2)
    W1 = rng.normal(size=(hidden, n_in))  # (hidden, in)
    W2 = rng.normal(size=(out, hidden))  # (out, hidden)
    b2 = rng.normal(size=out)  # (out,)
    z1 = _away_from_zero(rng, (n, hidden))  # (N, hidden)
    delta2 = rng.normal(size=(n, out))  # (N, out), stands for dL/dz2

    # L = sum(delta2 * z2) is linear in z2, so dL/dz2 is exactly delta2.
    def loss(z1_):
        z2 = relu(z1_) @ W2.T + b2  # (N, out)
        return np.sum(delta2 * z2)

    numeric = numerical_grad(loss, z1.copy())
    delta1 = backprop_delta1(delta2, W1, W2, z1)
    assert delta1.shape == (n, hidden)
    np.testing.assert_allclose(delta1, numeric, rtol=1e-6, atol=1e-8)


def test_backprop_delta1_does_not_depend_on_W1():
    rng = np.random.default_rng(3)
    W2, z1, delta2 = rng.normal(size=(2, 5)), rng.normal(size=(4, 5)), rng.normal(size=(4, 2))
    a = backprop_delta1(delta2, rng.normal(size=(5, 3)), W2, z1)
    b = backprop_delta1(delta2, np.zeros((5, 3)), W2, z1)
    np.testing.assert_array_equal(a, b)


def test_backprop_delta1_is_zero_where_z1_is_zero():
    W2 = np.ones((2, 3))
    z1 = np.array([[0.0, 1.0, -1.0]])
    delta2 = np.ones((1, 2))
    np.testing.assert_array_equal(backprop_delta1(delta2, np.ones((3, 4)), W2, z1), [[0, 2, 0]])


def test_l2_grad_matches_finite_differences():
    rng = np.random.default_rng(4)
    w, grad, lam = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 0.3

    # A loss whose own gradient is `grad`, plus the penalty (lam / 2) * ||w||^2.
    def loss(w_):
        return np.sum(grad * w_) + lam / 2 * np.sum(w_**2)

    numeric = numerical_grad(loss, w.copy())
    np.testing.assert_allclose(l2_grad(grad, w, lam), numeric, rtol=1e-6, atol=1e-8)
