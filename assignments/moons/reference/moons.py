"""Two moons with a small PyTorch MLP: 2 -> 64 -> ReLU -> 64 -> ReLU -> 2, cross-entropy, Adam."""

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

SEED = 0
HIDDEN = 64
EPOCHS = 20
BATCH = 64
LR = 3e-3  # Adam's step size at the start; decays linearly to about zero
WEIGHT_DECAY = 1e-4  # L2 on the weights, as in the course's notebook
REPORT_EVERY = 10  # steps between report(step, loss) calls
Model = nn.Sequential


def _check(X: np.ndarray, y: np.ndarray | None = None) -> None:
    """Raise ValueError unless X is (N, 2) and y, if given, is (N,) labels in {0, 1}."""
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"expected X of shape (N, 2), found {X.shape}")
    if y is not None and (
        y.shape != (len(X),) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() > 1
    ):
        raise ValueError(f"expected y: ({len(X)},) labels 0 or 1, found {y.shape} {y.dtype}")


def fit(X: np.ndarray, y: np.ndarray, report: Callable[[int, float], None] | None = None) -> Model:
    """Minimise L = -mean_i log softmax(f(x_i))_{y_i} with Adam, f the MLP."""
    _check(X, y)
    torch.manual_seed(SEED)  # fixes the weight init
    # A private generator for the shuffles, so other torch code cannot shift our sequence.
    shuffle = torch.Generator().manual_seed(SEED)
    xs = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))  # (N, 2)
    ys = torch.from_numpy(y.astype(np.int64))  # (N,)
    # Two hidden layers: the boundary between the moons bends twice.
    model = nn.Sequential(
        nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2)
    )
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    total = EPOCHS * -(-len(xs) // BATCH)  # ceil(N / BATCH) steps per epoch
    # Linear decay to zero: big steps early to move fast, small ones late to settle.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 - step / total)
    loss_fn = nn.CrossEntropyLoss()  # log-softmax + negative log-likelihood, computed stably
    model.train()
    step, window = 0, []
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(xs), generator=shuffle).split(BATCH):
            loss = loss_fn(model(xs[idx]), ys[idx])  # logits (B, 2) vs labels (B,)
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
    """argmax_k logits_k for each row: (N, 2) -> (N,) int64 labels."""
    _check(X)
    model.eval()
    with torch.inference_mode():  # no autograd bookkeeping: faster, less memory
        logits = model(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)))  # (N, 2)
    return logits.argmax(dim=1).numpy().astype(np.int64)  # (N,)
