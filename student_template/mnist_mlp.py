# %% [markdown]
# MNIST with a NumPy MLP
#
# Train a multi-layer perceptron on the 60,000 MNIST training images using NumPy
# only (no torch, scikit-learn, tensorflow or jax: importing one fails a check).
# The grader runs your `fit` inside a sandbox with a wall-clock budget (180 s by
# default), then calls `predict` on the 10,000 test images. It never shows your
# code the test labels; it computes the accuracy itself. Target: at least 97%.
#
# Conventions
# - X is float32 of shape (N, 784): each row is one 28x28 image, flattened,
#   with pixel values already scaled to [0, 1].
# - y is int64 of shape (N,): the digit 0..9 of each row.
# - `report(step, loss)` is a function the grader passes in. Call it every few
#   dozen steps with the current mini-batch loss: it draws your loss curve and
#   moves the progress bar. It may be None when you run `fit` yourself.
# - `fit` returns whatever your model is (a dict of arrays, an object); the
#   grader hands it back to `predict` untouched.
#
# Hints: one hidden layer of a few hundred ReLU units, He initialisation, a
# numerically stable softmax cross-entropy, mini-batches of about 128, and a
# decaying learning rate get well past 97% in a couple of minutes.

# %%
import numpy as np


def fit(X: np.ndarray, y: np.ndarray, report=None):
    """Train on X (N, 784) and y (N,); return the trained model."""
    raise NotImplementedError("fit: write your training loop")


def predict(model, X: np.ndarray) -> np.ndarray:
    """Labels (N,) in 0..9 for the rows of X (N, 784)."""
    raise NotImplementedError("predict: return model's most likely class for each row")
