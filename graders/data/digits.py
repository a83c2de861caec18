"""scikit-learn's bundled digits (no network), split the way the course's tracks are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Split:
    """A seeded, stratified train/test split; pixels scaled to [0, 1]."""

    X_train: np.ndarray  # (N, 64) float64
    y_train: np.ndarray  # (N,) int64
    X_test: np.ndarray  # (M, 64) float64
    y_test: np.ndarray  # (M,) int64


def digits_split(first: int | None = None, test_size: float = 0.2, seed: int = 0) -> Split:
    """The first `first` samples (all 1797 if None), split 80/20, stratified, seeded."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise RuntimeError(
            "the digits project needs scikit-learn: pip install 'dlgrade[projects]'"
        ) from None
    digits = load_digits()
    X = digits.data[:first] / 16.0  # sklearn's pixels are 0..16
    y = digits.target[:first].astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    return Split(X_train, y_train, X_test, y_test)
