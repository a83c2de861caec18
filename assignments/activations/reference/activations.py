"""The reference solution of the activations assignment, written like a submission.

Every function is finite for inputs up to 1e4 in magnitude: where a formula would
overflow, it is rewritten so that np.exp only ever sees a non-positive argument.
"""

import numpy as np

# -- Q1 and Q2: sigmoid, tanh and their derivatives ------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + exp(-z)), element-wise."""
    e = np.exp(-np.abs(z))  # in (0, 1]: exp of a non-positive number never overflows
    # For z >= 0 this is 1 / (1 + exp(-z)); for z < 0 the same value written as
    # exp(z) / (1 + exp(z)). Neither branch overflows, so np.where computes both safely.
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) * (1 - sigma(z)), at the pre-activation z."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z)), element-wise."""
    return np.tanh(z)  # NumPy's tanh saturates to +-1 instead of computing inf / inf


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)**2, at the pre-activation z."""
    t = tanh(z)
    return 1 - t**2


# -- Q5: softmax cross-entropy and its gradient with respect to the logits ---------------------


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log p_k = z_k - log(sum_j exp(z_j)), row by row."""
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, C): the largest entry is 0
    # log-sum-exp of the shifted row: its exp terms lie in (0, 1] and the sum is at least 1,
    # so nothing overflows and the log never sees 0.
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """L = -(1/N) sum_i log softmax(z_i)[y_i]."""
    n = len(y)
    return float(-log_softmax(logits)[np.arange(n), y].mean())  # mean over the batch


def softmax_cross_entropy_grad(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dz = (softmax(z) - onehot(y)) / N."""
    n = len(y)
    p = np.exp(log_softmax(logits))  # (N, C): softmax, as stable as its log
    p[np.arange(n), y] -= 1  # subtract the one-hot target without building it
    return p / n  # the loss is a mean over N samples, so each row's gradient is 1/N of it


# -- Q6 and Q7: batch normalisation ------------------------------------------------------------


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    training: bool,
    eps: float,
) -> np.ndarray:
    """y = gamma * (x - mu) / sqrt(var + eps) + beta, per feature (column)."""
    if training:
        mu = x.mean(axis=0)  # (D,): the batch's own statistics
        var = x.var(axis=0)  # (D,): biased (divided by N), as the paper and PyTorch normalise
    else:  # the statistics gathered in training: an output must not depend on its batch
        mu, var = running_mean, running_var  # (D,), (D,)
    x_hat = (x - mu) / np.sqrt(var + eps)  # (N, D); eps keeps a constant feature finite
    return gamma * x_hat + beta  # (N, D)


def batchnorm_running_stats(
    x: np.ndarray, running_mean: np.ndarray, running_var: np.ndarray, momentum: float
) -> np.ndarray:
    """new = (1 - momentum) * running + momentum * batch, for the mean and the variance."""
    mu = x.mean(axis=0)  # (D,)
    var = x.var(axis=0, ddof=1)  # (D,): unbiased, divided by N - 1, as PyTorch tracks it
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var
    return np.stack([new_mean, new_var])  # (2, D): row 0 the mean, row 1 the variance


# -- Q9: one SGD step with weight decay --------------------------------------------------------


def sgd_weight_decay_step(
    w: np.ndarray, grad: np.ndarray, lr: float, weight_decay: float
) -> np.ndarray:
    """w_new = w - lr * (grad + weight_decay * w)."""
    # weight_decay * w is the gradient of the penalty (weight_decay / 2) * ||w||^2; it joins
    # the loss gradient and is scaled by the learning rate, as in torch.optim.SGD.
    return w - lr * (grad + weight_decay * w)


# -- the predict and concept questions ---------------------------------------------------------

# Q3: sigmoid's slope is at most 1/4 (at z = 0), so five layers shrink a gradient by 4**5.
Q3_ANSWER = 0.25**5
# Q4: tanh's outputs have both signs, so the next layer's weight gradients need not share one.
Q4_ANSWER = "C"
# Q8: at evaluation time BatchNorm uses the running statistics gathered in training.
Q8_ANSWER = "B"
# Q10: 2.0 - 0.1 * (0.5 + 0.01 * 2.0)
Q10_ANSWER = 1.948
