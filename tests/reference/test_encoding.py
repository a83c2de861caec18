"""reference.encoding.one_hot against np.eye."""

import numpy as np
import pytest

from reference.encoding import one_hot


@pytest.mark.parametrize(("n", "n_classes"), [(1, 1), (7, 3), (50, 10), (3, 12)])
def test_one_hot_matches_eye(n, n_classes):
    y = np.random.default_rng(n).integers(0, n_classes, size=n)
    out = one_hot(y, n_classes)
    assert out.shape == (n, n_classes)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(n_classes)[y])


def test_one_hot_by_hand():
    expected = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    np.testing.assert_array_equal(one_hot(np.array([1, 2, 0, 1]), 3), expected)


def test_one_hot_accepts_a_list_and_empty_input():
    np.testing.assert_array_equal(one_hot([0, 2], 3), np.eye(3)[[0, 2]])
    assert one_hot(np.array([], dtype=int), 4).shape == (0, 4)


@pytest.mark.parametrize("y", [[0, 3], [-1, 0]], ids=["too-large", "negative"])
def test_one_hot_rejects_labels_out_of_range(y):
    with pytest.raises(ValueError, match="labels"):
        one_hot(np.array(y), 3)


def test_one_hot_rejects_2d_labels():
    with pytest.raises(ValueError, match="1-D"):
        one_hot(np.zeros((2, 2), dtype=int), 3)
