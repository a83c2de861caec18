"""The digits mini-project: a 64 -> 32 -> 10 NumPy MLP trained with mini-batch SGD.

Weights are stored (out_features, in_features), as in torch.nn.Linear:

    z1 = X @ W1.T + b1      (N, 32)
    a1 = relu(z1)           (N, 32)
    z2 = a1 @ W2.T + b2     (N, 10)
    probs = softmax(z2)     (N, 10), along axis 1: one distribution per sample (row)
    L = -mean_i log probs[i, y_i]

Self-contained NumPy (no imports from the rest of reference/), so this file can be graded
on its own as a submission: `dlgrade check reference/pipelines.py --assignment digits`.
"""

from collections.abc import Callable

import numpy as np

SEED = 0
N_IN, N_HIDDEN, N_OUT = 64, 32, 10  # 8x8 pixels -> hidden features -> one score per digit
LR = 0.1  # the course's learning rate
BATCH = 32
# A fixed number of SGD steps rather than a fixed number of epochs, so the amount of
# training does not depend on N: 3000 steps of 32 samples is about 67 epochs of the full
# training set (1437 samples) and 1200 epochs of the small track's 80.
STEPS = 3000
REPORT_EVERY = 30  # steps between report(step, loss) calls: 100 points on the loss curve
PROB_FLOOR = 1e-12  # smallest probability the loss takes a log of; see loss()


def init_params(
    n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """W ~ N(0, 2 / fan_in) (He init), b = 0."""
    # Var(w) = 2 / fan_in keeps the scale of the ReLU activations roughly the same from
    # layer to layer, so neither the signal nor the gradient shrinks or blows up. Random
    # (not zero) weights break the symmetry: identical hidden units would get identical
    # gradients and stay identical forever.
    return {
        "W1": rng.normal(0.0, np.sqrt(2.0 / n_in), (n_hidden, n_in)),  # (32, 64)
        "b1": np.zeros(n_hidden),  # (32,)
        "W2": rng.normal(0.0, np.sqrt(2.0 / n_hidden), (n_out, n_hidden)),  # (10, 32)
        "b2": np.zeros(n_out),  # (10,)
    }


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    """softmax(z)_ik = exp(z_ik - max_j z_ij) / sum_c exp(z_ic - max_j z_ij), along axis 1."""
    # axis=1 because rows are samples: each row becomes its own distribution over the 10
    # classes. axis=0 would instead normalise each class over the batch (a named pitfall).
    # Subtracting the row max leaves the result unchanged (numerator and denominator are
    # both scaled by exp(-max)) but keeps every exponent <= 0, so np.exp cannot overflow.
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (N, 10), largest entry per row is 1
    # Dividing by the row sum is what makes each row sum to 1 (the course's debug exercise).
    return e / e.sum(axis=1, keepdims=True)  # (N, 10)


def forward(
    params: dict[str, np.ndarray], X: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """probs = softmax(relu(X W1^T + b1) W2^T + b2), with the cache backward needs."""
    z1 = X @ params["W1"].T + params["b1"]  # (N, 64) @ (64, 32) -> (N, 32)
    a1 = np.maximum(z1, 0)  # (N, 32)
    z2 = a1 @ params["W2"].T + params["b2"]  # (N, 32) @ (32, 10) -> (N, 10)
    probs = _softmax_rows(z2)  # (N, 10)
    return probs, {"X": X, "z1": z1, "a1": a1, "probs": probs}


def backward(
    params: dict[str, np.ndarray], cache: dict[str, np.ndarray], y: np.ndarray
) -> dict[str, np.ndarray]:
    """Gradients of L = -mean_i log probs[i, y_i], each step the mirror of a forward line."""
    X, z1, a1, probs = cache["X"], cache["z1"], cache["a1"], cache["probs"]
    n = len(y)
    rows = np.arange(n)  # (N,), pairs with y to pick each row's true class
    # softmax + cross-entropy together: dL/dz2 = (probs - onehot(y)) / N.
    # The / N is there because L is a mean over the N samples of the batch, so each
    # sample's term carries weight 1 / N. Dividing by the number of classes (10) instead is
    # the course's named bug: every gradient is then N / 10 times too big, which acts like
    # a learning rate that silently changes with the batch size.
    dz2 = probs.copy()  # (N, 10); a copy, so the cached probs are left as they were
    dz2[rows, y] -= 1.0
    dz2 /= n
    # z2 = a1 @ W2.T + b2
    dW2 = dz2.T @ a1  # (10, N) @ (N, 32) -> (10, 32), the shape of W2
    db2 = dz2.sum(axis=0)  # (10,): b2 is added to every row, so its gradient sums over rows
    da1 = dz2 @ params["W2"]  # (N, 10) @ (10, 32) -> (N, 32)
    # a1 = relu(z1): the gradient flows only where z1 > 0 (we take relu'(0) = 0)
    dz1 = da1 * (z1 > 0)  # (N, 32)
    # z1 = X @ W1.T + b1
    dW1 = dz1.T @ X  # (32, N) @ (N, 64) -> (32, 64), the shape of W1
    db1 = dz1.sum(axis=0)  # (32,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def loss(probs: np.ndarray, y: np.ndarray) -> float:
    """L = -(1/N) sum_i log probs[i, y_i], the mean cross-entropy."""
    p_true = probs[np.arange(len(y)), y]  # (N,), the probability given to each true class
    # A confident wrong answer can round the true class's probability to exactly 0, and
    # log(0) = -inf would make the loss (and the loss curve) inf. Clipping at 1e-12 caps
    # one sample's term at about 27.6 instead, and leaves every probability above 1e-12
    # (so every gradient check and any sensible model) untouched.
    return float(-np.mean(np.log(np.clip(p_true, PROB_FLOOR, 1.0))))


def update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """p <- p - lr * dL/dp for every parameter, returned as a new dict."""
    # `p - lr * g` builds new arrays, so the caller's params are never modified in place.
    return {name: p - lr * grads[name] for name, p in params.items()}


def _check_inputs(X: np.ndarray, y: np.ndarray | None = None) -> None:
    """Raise ValueError unless X is (N, 64) and y, if given, is (N,) labels in 0..9."""
    if X.ndim != 2 or X.shape[1] != N_IN:
        raise ValueError(f"expected X of shape (N, {N_IN}), found {X.shape}")
    if y is not None and (
        y.shape != (len(X),) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= N_OUT
    ):
        raise ValueError(
            f"expected y: ({len(X)},) integer labels 0..{N_OUT - 1}, found {y.shape} {y.dtype}"
        )


def train(
    X: np.ndarray, y: np.ndarray, report: Callable[[int, float], None] | None = None
) -> dict[str, np.ndarray]:
    """Minimise L with mini-batch SGD, p <- p - LR * dL/dp, for STEPS steps of BATCH samples."""
    if len(X) == 0:
        raise ValueError("train needs at least one sample")
    _check_inputs(X, y)
    rng = np.random.default_rng(SEED)  # seeded: the same data always gives the same model
    X = X.astype(np.float64, copy=False)
    n = len(X)
    batch = min(BATCH, n)
    steps_per_epoch = -(-n // batch)  # ceil(n / batch); the last batch of an epoch may be short
    params = init_params(N_IN, N_HIDDEN, N_OUT, rng)
    window: list[float] = []  # batch losses since the last report
    for step in range(STEPS):
        if step % steps_per_epoch == 0:
            order = rng.permutation(n)  # a fresh shuffle every epoch
        idx = order[(step % steps_per_epoch) * batch :][:batch]
        probs, cache = forward(params, X[idx])  # (B, 10)
        window.append(loss(probs, y[idx]))
        params = update(params, backward(params, cache, y[idx]), LR)
        if report is not None and (step + 1) % REPORT_EVERY == 0:
            # The mean over the window smooths the noise of single small batches.
            report(step + 1, float(np.mean(window)))
            window.clear()
    return params


def predict(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """argmax_k probs[i, k] for each row: (N, 64) -> (N,) int labels."""
    _check_inputs(X)
    probs, _ = forward(params, X)  # (N, 10)
    return probs.argmax(axis=1)  # (N,): the most probable digit of each row
