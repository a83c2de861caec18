"""Datasets the grader loads itself (never from a submission), chosen by name in a spec.

A project spec says `[training] data = "mnist"`; the checks ask `load_dataset` for it.
Each loader returns the same shape of thing: training inputs and labels (which go to the
student's code), test inputs (which go to the student's code) and test labels (which
never leave the grader).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


class DatasetError(Exception):
    """A dataset that cannot be loaded here; the message says how to get it."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A seeded split, features as floats, labels as int64."""

    X_train: np.ndarray  # (N, D)
    y_train: np.ndarray  # (N,)
    X_test: np.ndarray  # (M, D): sent to the student's predict
    y_test: np.ndarray  # (M,): stays in the grader
    n_classes: int
    image_side: int | None = None  # the side of a square image, for the misclassified grid


def mnist(data_dir: str | None, first: int | None) -> Dataset:
    """The 60,000 + 10,000 MNIST images as (N, 784) float32 in [0, 1]."""
    from graders.data.mnist import DataError, as_float_features, load_mnist

    try:
        data = load_mnist(data_dir)
    except DataError as error:
        raise DatasetError(f"the MNIST files could not be read: {error}") from None
    return Dataset(
        X_train=as_float_features(data.train_images)[:first],
        y_train=data.train_labels.astype(np.int64)[:first],
        X_test=as_float_features(data.test_images),
        y_test=data.test_labels.astype(np.int64),
        n_classes=10,
        image_side=28,
    )


def digits(data_dir: str | None, first: int | None) -> Dataset:
    """scikit-learn's 1797 digits (the first `first` of them), 80/20, stratified, seeded."""
    from graders.data.digits import digits_split

    del data_dir  # bundled with scikit-learn
    split = digits_split(first=first)
    return Dataset(split.X_train, split.y_train, split.X_test, split.y_test, 10, image_side=8)


def moons(data_dir: str | None, first: int | None) -> Dataset:
    """scikit-learn's two moons as the course makes them: make_moons(2000, noise=0.25,
    random_state=0), float32 points, int64 labels, 75/25 stratified split, seed 42."""
    try:
        from sklearn.datasets import make_moons
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise DatasetError(
            "the moons project needs scikit-learn: pip install 'dlgrade[projects]'"
        ) from None
    del data_dir  # generated, not read from disk
    X, y = make_moons(n_samples=2000, noise=0.25, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y.astype(np.int64), test_size=0.25, stratify=y, random_state=42
    )
    return Dataset(X_train[:first], y_train[:first], X_test, y_test, n_classes=2)


LOADERS: dict[str, Callable[[str | None, int | None], Dataset]] = {
    "mnist": mnist,
    "digits": digits,
    "moons": moons,
}


def load_dataset(name: str, data_dir: str | None = None, first: int | None = None) -> Dataset:
    """The dataset a spec names; `first` keeps only the first samples (of the whole set for
    digits, which is split afterwards; of the training set for the others)."""
    if name not in LOADERS:
        raise DatasetError(f"no dataset named {name!r} (known: {', '.join(LOADERS)})")
    return LOADERS[name](data_dir, first)
