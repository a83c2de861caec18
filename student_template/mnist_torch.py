# %% [markdown]
# MNIST with a shallow PyTorch network
#
# Build a network with one hidden layer, 784 -> hidden -> 10, with a ReLU in
# between, and train it with PyTorch on the 60,000 MNIST training images. The
# grader runs your `fit` inside a sandbox (CPU only) with a wall-clock budget
# (300 s by default), then calls `predict` on the 10,000 test images; it computes
# the accuracy itself without ever giving your code the test labels. Target: 97%.
#
# Conventions
# - X is a NumPy float32 array of shape (N, 784) with pixels in [0, 1]; y is a
#   NumPy int64 array (N,) of digits 0..9. Convert with torch.from_numpy.
# - Call `report(step, loss)` every few dozen steps (loss as a Python float, e.g.
#   loss.item()) when report is not None: it draws your loss curve.
# - `fit` returns your trained model; `predict(model, X)` returns NumPy labels (N,).
# - nn.CrossEntropyLoss expects raw scores (logits): do not apply softmax first.
# - Call model.eval() and use torch.no_grad() in predict.

# %%
import numpy as np
import torch
from torch import nn


class ShallowNet(nn.Module):
    """784 -> hidden -> ReLU -> 10."""

    def __init__(self, hidden: int = 256) -> None:
        super().__init__()
        raise NotImplementedError("ShallowNet: create the two nn.Linear layers")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ShallowNet.forward: return the logits (N, 10)")


def fit(X: np.ndarray, y: np.ndarray, report=None) -> nn.Module:
    """Train a ShallowNet on X (N, 784) and y (N,); return it."""
    raise NotImplementedError("fit: write your training loop")


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """Labels (N,) in 0..9 for the rows of X (N, 784)."""
    raise NotImplementedError("predict: argmax of the logits, as a NumPy array")
