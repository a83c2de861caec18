"""MNIST with a small CNN: (conv 3x3 -> ReLU -> max-pool 2) x 2 -> dense -> dropout -> 10."""

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

SEED = 0
EPOCHS = 6
BATCH = 128
LR = 2e-3  # Adam's step size at the start; decays linearly to about zero
DROPOUT = 0.25
REPORT_EVERY = 50  # steps between report(step, loss) calls
PREDICT_BATCH = 1000  # bounds the memory of the feature maps at prediction time


class Model(nn.Module):
    """Two conv blocks extract strokes and parts; a dense head turns them into 10 logits."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1),  # (B, 32, 28, 28); padding keeps size
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, 32, 14, 14)
            nn.Conv2d(32, 64, kernel_size=3, padding=1),  # (B, 64, 14, 14)
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, 64, 7, 7)
        )
        self.head = nn.Sequential(
            nn.Flatten(),  # (B, 3136)
            nn.Linear(64 * 7 * 7, 128),  # (B, 128)
            nn.ReLU(),
            nn.Dropout(DROPOUT),  # inverted dropout, active only in train() mode
            nn.Linear(128, 10),  # (B, 10) logits
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """logits = head(features(x)): (B, 1, 28, 28) -> (B, 10)."""
        return self.head(self.features(x))


def _images(X: np.ndarray) -> torch.Tensor:
    """(N, 784) float array -> (N, 1, 28, 28) float32 tensor (one grey channel)."""
    if X.ndim != 2 or X.shape[1] != 784:
        raise ValueError(f"expected X of shape (N, 784), found {X.shape}")
    # from_numpy shares memory instead of copying; reshape is a view of the same floats.
    return torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).reshape(-1, 1, 28, 28)


def fit(X: np.ndarray, y: np.ndarray, report: Callable[[int, float], None] | None = None) -> Model:
    """Minimise L = -mean_i log softmax(cnn(x_i))_{y_i} with mini-batch Adam."""
    xs = _images(X)  # (N, 1, 28, 28)
    if y.shape != (len(X),) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() > 9:
        raise ValueError(f"expected y: ({len(X)},) integer labels 0..9, found {y.shape} {y.dtype}")
    ys = torch.from_numpy(y.astype(np.int64))  # (N,)
    torch.manual_seed(SEED)  # fixes the weight init and the dropout masks
    # A private generator for the shuffles, so other torch code cannot shift our sequence.
    shuffle = torch.Generator().manual_seed(SEED)
    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    total = EPOCHS * -(-len(xs) // BATCH)  # ceil(N / BATCH) steps per epoch
    # Linear decay to zero: big steps early to move fast, small ones late to settle.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 - step / total)
    loss_fn = nn.CrossEntropyLoss()  # log-softmax + negative log-likelihood, computed stably
    model.train()
    step, window = 0, []
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(xs), generator=shuffle).split(BATCH):
            loss = loss_fn(model(xs[idx]), ys[idx])  # logits (B, 10) vs labels (B,)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            window.append(loss.item())
            if report is not None and step % REPORT_EVERY == 0:
                report(step, float(np.mean(window)))  # mean since the last report: smoother
                window.clear()
            step += 1
    return model


def predict(model: Model, X: np.ndarray) -> np.ndarray:
    """argmax_k logits_k for each image: (N, 784) -> (N,) int64 labels."""
    xs = _images(X)  # (N, 1, 28, 28)
    model.eval()  # turns dropout off
    with torch.inference_mode():  # no autograd bookkeeping: faster, less memory
        logits = [model(chunk) for chunk in xs.split(PREDICT_BATCH)]  # each (b, 10)
    return torch.cat(logits).argmax(dim=1).numpy().astype(np.int64)  # (N,)
