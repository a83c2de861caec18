"""The dataset registry: each loader gives a seeded split; moons is the course's own."""

from __future__ import annotations

import numpy as np
import pytest

from graders.data import LOADERS, DatasetError, load_dataset

pytest.importorskip("sklearn")


def test_moons_is_the_course_split():
    data = load_dataset("moons")
    assert data.X_train.shape == (1500, 2)
    assert data.X_test.shape == (500, 2)
    assert data.X_train.dtype == data.X_test.dtype == np.float32
    assert data.y_train.dtype == data.y_test.dtype == np.int64
    assert data.n_classes == 2
    assert data.image_side is None
    # stratified: the two moons are equally represented in each part
    assert np.bincount(data.y_test).tolist() == [250, 250]
    assert np.bincount(data.y_train).tolist() == [750, 750]


def test_moons_is_the_same_every_time_and_first_limits_the_training_set():
    again, short = load_dataset("moons"), load_dataset("moons", first=100)
    data = load_dataset("moons")
    assert np.array_equal(again.X_test, data.X_test)
    assert np.array_equal(again.y_train, data.y_train)
    assert short.X_train.shape == (100, 2)
    assert np.array_equal(short.X_test, data.X_test)


def test_an_unknown_dataset_names_the_known_ones():
    with pytest.raises(DatasetError, match="moons"):
        load_dataset("cifar")
    assert {"mnist", "digits", "moons"} <= set(LOADERS)
