# %%
# # Basic Deep Learning: activations, losses and normalisation
#
# Ten questions worth 12 points; 9 passes. You write the pieces every network is built
# from in NumPy (activations and their derivatives, the softmax cross-entropy loss and
# its gradient, batch normalisation, a weight-decay step), fix one of them, and answer
# four predict and concept questions. Fill in this file, or the notebook made from it,
# then run `dlgrade check activations.py --assignment activations`.
#
# Conventions used by every question:
#
# - Inputs are NumPy arrays; a batch has one sample per row: `(N, features)`.
# - Element-wise functions take 1-D or 2-D arrays, float32 or float64, and return an
#   array of the same shape. They must stay finite for inputs up to 1e4 in magnitude:
#   `np.exp` overflows to `inf` above about 709, and `inf / inf` is `nan`.
# - Derivatives take the pre-activation `z` (the input of the activation), not its output.
# - Class labels are integer indices in `[0, C)`, one per row of the logits.
# - Only NumPy is needed. Do not rename anything: the grader looks names up.
import numpy as np


# %%
# ## Q1 (write): sigmoid and its derivative
#
# `sigmoid(z)` returns `1 / (1 + exp(-z))` element-wise. Written as it stands, it computes
# `exp(10000)` for `z = -10000`: NumPy warns of an overflow and carries on with `inf`, and
# other ways of writing it (`exp(z) / (1 + exp(z))`) turn that `inf` into `nan`. Make
# yours finite and accurate for every `|z|` up to 1e4. Hint: `exp(-|z|)` never overflows,
# and sigma(z) can be written with it for either sign of `z`.
#
# `sigmoid_derivative(z)` returns d sigma / dz at the pre-activation `z`:
# `sigma(z) * (1 - sigma(z))`. It receives `z`, not `sigma(z)`.
def sigmoid(z):
    """Return 1 / (1 + exp(-z)) element-wise, finite for any |z| up to 1e4."""
    raise NotImplementedError("Q1: write sigmoid")


def sigmoid_derivative(z):
    """Return sigma(z) * (1 - sigma(z)), the slope of sigmoid at the pre-activation z."""
    raise NotImplementedError("Q1: write sigmoid_derivative")


# %%
# ## Q2 (write): tanh and its derivative
#
# `tanh(z)` returns `(exp(z) - exp(-z)) / (exp(z) + exp(-z))` element-wise, finite for
# every `|z|` up to 1e4 (`np.tanh` is allowed; the formula as written is not finite there).
#
# `tanh_derivative(z)` returns d tanh / dz at the pre-activation `z`: `1 - tanh(z)**2`.
def tanh(z):
    """Return (exp(z) - exp(-z)) / (exp(z) + exp(-z)) element-wise, finite for |z| up to 1e4."""
    raise NotImplementedError("Q2: write tanh")


def tanh_derivative(z):
    """Return 1 - tanh(z)**2, the slope of tanh at the pre-activation z."""
    raise NotImplementedError("Q2: write tanh_derivative")


# %%
# ## Q3 (predict): vanishing gradients
#
# A gradient flows backwards through five sigmoid activations. Every weight it meets is 1,
# so at each layer it is multiplied only by sigmoid's derivative at that layer's
# pre-activation. Each layer sits exactly at the point where sigmoid is steepest.
#
# By what factor has the gradient been multiplied after the five layers? Set `Q3_ANSWER`
# to that number (a float such as `0.125`, not a formula in a string).
Q3_ANSWER = None


# %%
# ## Q4 (concept): zero-centred activations
#
# tanh is described as "zero-centred" and sigmoid is not. Why does that matter for the
# layer that comes next?
#
# - A. A zero-centred activation never saturates, so its gradient cannot vanish.
# - B. tanh is cheaper to compute than sigmoid, so training is faster.
# - C. Sigmoid's outputs are all positive, so every weight gradient of a neuron in the
#   next layer (its delta times those inputs) has the same sign; the weights can only all
#   grow or all shrink together, and descent zig-zags. tanh's outputs take both signs.
# - D. tanh's outputs sum to 1, so they can be read as probabilities.
#
# Set `Q4_ANSWER` to one letter. Optionally, say why in a sentence in `Q4_EXPLANATION`;
# an instructor may read it, and it does not change your score.
Q4_ANSWER = None
Q4_EXPLANATION = ""


# %%
# ## Q5 (write, 2 points): softmax cross-entropy
#
# The logits `z` have shape `(N, C)` (one row of class scores per sample) and `y` holds
# `N` integer labels in `[0, C)`. With `p = softmax(z)` along each row:
#
# - `softmax_cross_entropy(z, y)` returns the mean over the batch of `-log p[i, y[i]]`, as
#   a Python `float`. Compute `log p` with the log-sum-exp trick,
#   `log p[i, k] = z[i, k] - m_i - log(sum_j exp(z[i, j] - m_i))` with `m_i` the row's
#   max: `exp` then never overflows, and the log never sees an underflowed 0 (with logits
#   like `[0, -800]`, `p` is 0 in floating point but `-log p` is 800).
# - `softmax_cross_entropy_grad(z, y)` returns dL/dz, shape `(N, C)`:
#   `(p - onehot(y)) / N`. The `1/N` comes from the mean.
#
# Both must be finite for logits up to 1e4 in magnitude.
def softmax_cross_entropy(logits, y):
    """Return the mean over the batch of -log softmax(logits)[i, y[i]], as a float."""
    raise NotImplementedError("Q5: write softmax_cross_entropy")


def softmax_cross_entropy_grad(logits, y):
    """Return dL/dlogits = (softmax(logits) - onehot(y)) / N, shape (N, C)."""
    raise NotImplementedError("Q5: write softmax_cross_entropy_grad")


# %%
# ## Q6 (write, 2 points): batch normalisation, forward pass
#
# `batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps)` normalises
# each feature (column) of `x`, shape `(N, D)` with `N >= 2`, and then scales and shifts
# it: `gamma * (x - mu) / sqrt(var + eps) + beta`. `gamma`, `beta`, `running_mean` and
# `running_var` have shape `(D,)`; the result has shape `(N, D)`.
#
# - When `training` is true, `mu` and `var` are the batch's own mean and variance of each
#   column. The variance is the biased one, divided by `N` (`x.var(axis=0)`), as in the
#   paper and in PyTorch.
# - When `training` is false, `mu` and `var` are `running_mean` and `running_var`.
#
# `eps` goes inside the square root: a feature that is constant over the batch then gives
# `0 / sqrt(eps) = 0`, not `0 / 0`.
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
    """Return gamma * (x - mu) / sqrt(var + eps) + beta, with batch or running statistics."""
    raise NotImplementedError("Q6: write batchnorm_forward")


# %%
# ## Q7 (fix): batch norm's running statistics
#
# During training, batch norm keeps running averages of each feature's mean and variance
# for use at evaluation time. `batchnorm_running_stats(x, running_mean, running_var,
# momentum)` returns one array of shape `(2, D)`: row 0 the new running mean, row 1 the new
# running variance. This course follows PyTorch (`nn.BatchNorm1d`, momentum 0.1):
#
# - `new = (1 - momentum) * running + momentum * batch_statistic`: `momentum` is the
#   weight of the *new* batch;
# - the batch variance that goes into the running variance is the *unbiased* one, divided
#   by `N - 1` (`x.var(axis=0, ddof=1)`). Normalising a batch (Q6) divides by `N`; only
#   the running estimate uses `N - 1`.
#
# The code below was ported from cs231n's assignment, which writes the update as
# `running = momentum * running + (1 - momentum) * batch` with momentum 0.9 and feeds the
# running variance the biased batch variance. Fix it to follow the two rules above.
def batchnorm_running_stats(x, running_mean, running_var, momentum):
    """Return [new running mean, new running variance] as one (2, D) array."""
    mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
    var = momentum * running_var + (1 - momentum) * x.var(axis=0)
    return np.stack([mean, var])


# %%
# ## Q8 (concept): batch norm at evaluation time
#
# After training, `model.eval()` switches a network's BatchNorm layers to evaluation
# mode. What do they do then?
#
# - A. They normalise each test batch with that batch's own mean and variance, exactly as
#   in training.
# - B. They normalise with the running mean and variance gathered during training, so a
#   sample's output does not depend on which other samples share its batch (a batch of
#   one works too).
# - C. They are switched off: their input passes through unchanged.
# - D. They first compute the mean and variance of the whole test set, then normalise
#   with those.
#
# Set `Q8_ANSWER` to one letter, and optionally give your reason in `Q8_EXPLANATION`.
Q8_ANSWER = None
Q8_EXPLANATION = ""


# %%
# ## Q9 (write): an SGD step with weight decay
#
# Weight decay adds the penalty `(weight_decay / 2) * ||w||^2` to the loss, whose gradient
# is `weight_decay * w`. `sgd_weight_decay_step(w, grad, lr, weight_decay)` takes the
# weights, the gradient of the loss `grad = dL/dw` (same shape as `w`), the learning rate
# and the decay, and returns the weights after one plain SGD step, as `torch.optim.SGD`
# with `weight_decay` computes it: `w - lr * (grad + weight_decay * w)`. Return a new
# array; do not change `w` in place.
def sgd_weight_decay_step(w, grad, lr, weight_decay):
    """Return w - lr * (grad + weight_decay * w)."""
    raise NotImplementedError("Q9: write sgd_weight_decay_step")


# %%
# ## Q10 (predict): one step by hand
#
# A single weight `w = 2.0` has loss gradient `0.5`. What is it after one SGD step with
# learning rate `0.1` and weight decay `0.01`, as in Q9? Work it out without running your
# code and set `Q10_ANSWER` to that number.
Q10_ANSWER = None
