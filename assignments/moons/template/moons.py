# %% [markdown]
# Two moons with a small PyTorch MLP
#
# Train a multilayer perceptron that separates scikit-learn's two interleaving
# half-circles ("moons"). The grader makes the data as the course's notebook does,
# make_moons(n_samples=2000, noise=0.25, random_state=0), splits it 75/25 (stratified,
# random_state=42), runs your `fit` on the 1,500 training points inside a sandbox (CPU
# only) with a wall-clock budget (60 s; a small MLP needs a few seconds), then calls
# `predict` on the 500 test points and computes the accuracy itself, without ever giving
# your code the test labels. Target: 92%. It also calls `predict` on a grid over the
# plane to draw your decision boundary in the HTML report (`--html report.html`).
#
# Conventions
# - X is a NumPy float32 array of shape (N, 2); y is a NumPy int64 array (N,) of
#   labels 0 or 1. Convert with torch.from_numpy.
# - Call `report(step, loss)` every few steps (loss as a Python float, e.g.
#   loss.item()) when report is not None: it draws your loss curve.
# - `fit` returns your trained model; `predict(model, X)` returns NumPy labels (N,).
# - nn.CrossEntropyLoss expects raw scores (logits): do not apply softmax first.
# - Call model.eval() and use torch.no_grad() in predict.
# - A straight line cannot separate the moons: use at least one hidden layer with a
#   non-linearity (ReLU or tanh).

# %%
import numpy as np
import torch
from torch import nn


class MLP(nn.Module):
    """2 -> hidden -> ReLU -> hidden -> ReLU -> 2."""

    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        raise NotImplementedError("MLP: create the layers (nn.Linear, nn.ReLU, nn.Sequential)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MLP.forward: return the logits (N, 2)")


def fit(X: np.ndarray, y: np.ndarray, report=None) -> nn.Module:
    """Train an MLP on X (N, 2) and y (N,); return it."""
    raise NotImplementedError("fit: write your training loop")


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """Labels (N,) in {0, 1} for the rows of X (N, 2)."""
    raise NotImplementedError("predict: argmax of the logits, as a NumPy array")
