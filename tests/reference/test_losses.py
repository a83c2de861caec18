"""reference.losses on hand-computed values."""

import numpy as np
import pytest

from reference.losses import mse, mse_grad


def test_mse_1d_by_hand():
    # differences [0, 2, 3] -> squares [0, 4, 9] -> mean 13/3
    assert mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])) == pytest.approx(13 / 3)


def test_mse_2d_averages_over_all_elements():
    # squares [1, 4, 9, 16] -> mean over 4 elements (not 2 rows) = 7.5
    assert mse(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))) == pytest.approx(7.5)


def test_mse_returns_python_float():
    out = mse(np.ones((3, 2), dtype=np.float32), np.zeros((3, 2), dtype=np.float32))
    assert type(out) is float
    assert out == 1.0


def test_mse_is_zero_for_equal_inputs():
    y = np.random.default_rng(0).normal(size=(4, 3))
    assert mse(y, y.copy()) == 0.0


def test_mse_grad_1d_by_hand():
    # 2 * [0, 2, 3] / 3
    out = mse_grad(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(out, [0.0, 4 / 3, 2.0])


def test_mse_grad_2d_divides_by_number_of_elements():
    # 2 * [[1, 2], [3, 4]] / 4, not / 2 (the number of rows)
    out = mse_grad(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2)))
    np.testing.assert_allclose(out, [[0.5, 1.0], [1.5, 2.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mse_grad_keeps_shape_and_dtype(dtype):
    y_pred = np.ones((2, 5), dtype=dtype)
    out = mse_grad(y_pred, np.zeros((2, 5), dtype=dtype))
    assert out.shape == (2, 5)
    assert out.dtype == dtype


@pytest.mark.parametrize("fn", [mse, mse_grad])
def test_shape_mismatch_is_rejected_not_broadcast(fn):
    with pytest.raises(ValueError, match="shape"):
        fn(np.zeros(4), np.zeros((4, 1)))
