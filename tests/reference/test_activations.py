"""Values and numerical edge cases of reference.activations."""

import numpy as np
import pytest

from reference.activations import relu, relu_backward, softmax


def test_relu_values_and_zero():
    z = np.array([[-2.0, 0.0, 3.5], [1e4, -1e4, 0.25]])
    expected = np.array([[0.0, 0.0, 3.5], [1e4, 0.0, 0.25]])
    np.testing.assert_array_equal(relu(z), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_keeps_shape_and_dtype(dtype):
    z = np.linspace(-1, 1, 12, dtype=dtype).reshape(3, 4)
    out = relu(z)
    assert out.shape == z.shape
    assert out.dtype == dtype


def test_relu_backward_masks_by_sign_of_z():
    z = np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.0]])
    dout = np.array([[10.0, 20.0, 30.0], [-4.0, 5.0, -6.0]])
    expected = np.array([[0.0, 0.0, 30.0], [-4.0, 0.0, 0.0]])
    np.testing.assert_array_equal(relu_backward(dout, z), expected)


def test_relu_backward_is_exactly_zero_at_zero():
    z = np.zeros((2, 3))
    dout = np.array([[1.0, -1.0, np.inf], [np.nan, 5.0, -np.inf]])
    out = relu_backward(dout, z)
    assert np.all(out == 0)
    assert not np.any(np.signbit(out)), "no -0.0 from negative upstream gradients"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_keeps_dtype(dtype):
    z = np.array([-1.0, 2.0], dtype=dtype)
    assert relu_backward(np.ones_like(z), z).dtype == dtype


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_matches_definition_1d():
    z = np.array([0.5, -1.0, 2.0, 0.0])
    np.testing.assert_allclose(softmax(z), _naive_softmax(z), rtol=1e-12)


def test_softmax_matches_definition_2d_non_square():
    z = np.random.default_rng(0).normal(size=(5, 3))
    out = softmax(z)
    assert out.shape == (5, 3)
    np.testing.assert_allclose(out, _naive_softmax(z), rtol=1e-12)


def test_softmax_2d_is_rowwise_1d():
    z = np.random.default_rng(1).normal(size=(4, 7))
    for row, out_row in zip(z, softmax(z), strict=True):
        np.testing.assert_allclose(out_row, softmax(row), rtol=1e-12)


@pytest.mark.parametrize("shape", [(6,), (1, 6), (4, 6), (6, 4)])
def test_softmax_rows_sum_to_one(shape):
    z = np.random.default_rng(2).normal(scale=10, size=shape)
    out = softmax(z)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(out >= 0)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize(
    "z",
    [
        np.array([1000.0, 1001.0]),
        np.array([1e4, -1e4, 0.0]),
        np.array([[1e4, 1e4 - 1.0], [-1e4, -1e4 + 1.0], [1e4, 1e4]]),
    ],
    ids=["1000-1001", "1e4-mixed-1d", "1e4-2d"],
)
def test_softmax_is_finite_for_large_magnitudes(z):
    out = softmax(z)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)


def test_softmax_large_values_match_shifted_small_values():
    # softmax is invariant to adding a constant per row, so [1000, 1001] acts like [0, 1].
    np.testing.assert_allclose(
        softmax(np.array([1000.0, 1001.0])), _naive_softmax(np.array([0.0, 1.0])), rtol=1e-12
    )


def test_softmax_float32_stays_float32_and_finite():
    z = np.array([[1e4, 0.0, -1e4]], dtype=np.float32)
    out = softmax(z)
    assert out.dtype == np.float32
    assert np.all(np.isfinite(out))
