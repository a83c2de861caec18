# %%
# # Deep Learning Foundations: self-check
#
# Twelve short questions, one point each; 9 out of 12 passes. Some ask you to predict a
# result, some to write or fix a small NumPy function, and some test a concept. Fill in
# this file, or the notebook made from it, then run `dlgrade check selfcheck.py` (or
# `dlgrade check selfcheck.ipynb`).
#
# Conventions used by every question:
#
# - Inputs are NumPy arrays. A batch has one sample per row: `(N, features)`.
# - "Along the last axis" means `axis=-1`: within each row of a 2-D array.
# - Weight matrices are stored `(out_features, in_features)`, the layout used by
#   `torch.nn.Linear`, so a layer computes `z = x @ W.T + b`.
# - Functions may receive float32 or float64 arrays; return an array of the same shape
#   unless the question says otherwise.
# - Letter answers are a single letter such as `"B"`; lower case is accepted too.
# - Only NumPy is needed. Do not rename anything: the grader looks names up.
import numpy as np

# %%
# ## Q1 (predict): a forward pass by hand
#
# A two-layer network gets the input `x = [1, -1]`.
#
# - Layer 1: `W1 = [[2, 0], [0, 2]]`, `b1 = [0, 0]`, followed by ReLU.
# - Layer 2: `W2 = [[1, 1]]` (one output, two inputs), `b2 = 0`, no activation.
#
# Work out the network's output without running it and set `Q1_ANSWER` to that number.
Q1_ANSWER = None


# %%
# ## Q2 (write): ReLU and its backward pass
#
# `relu(z)` returns `max(z, 0)` element-wise, with the shape of `z`.
#
# `relu_backward(dout, z)` receives the upstream gradient `dout = dL/da` (same shape as
# `z`) and returns `dL/dz`: `dout` where `z > 0` and 0 elsewhere, including where `z == 0`.
def relu(z):
    """Return max(z, 0) element-wise."""
    raise NotImplementedError("Q2: write relu")


def relu_backward(dout, z):
    """Return dL/dz: dout where z > 0, else 0."""
    raise NotImplementedError("Q2: write relu_backward")


# %%
# ## Q3 (fix): softmax
#
# `softmax(z)` should turn scores into probabilities along the last axis: for a 1-D `z` it
# returns one distribution, for a 2-D `z` of shape `(N, C)` one distribution per row. The
# version below is right for small scores but breaks on large ones: `np.exp` overflows to
# `inf` above about 709, so `softmax(np.array([1000.0, 1001.0]))` comes out as `nan`. Fix
# it so it stays finite for entries up to 1e4 in magnitude, without changing the result
# for small scores.
def softmax(z):
    """Return exp(z) / sum(exp(z)) along the last axis."""
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# %%
# ## Q4 (predict): sigmoid outputs
#
# A layer applies the sigmoid function element-wise to a vector of three pre-activations.
# Which statement about its three outputs is always true?
#
# - A. Each lies in [0, 1] and the three sum to 1.
# - B. Each lies strictly between 0 and 1, and they need not sum to 1.
# - C. Each lies strictly between -1 and 1, and sigmoid(0) = 0.
# - D. Each is non-negative but unbounded above.
#
# Set `Q4_ANSWER` to one letter.
Q4_ANSWER = None


# %%
# ## Q5 (write): mean squared error
#
# `mse(y_pred, y_true)` takes two arrays of the same shape and returns the mean of the
# squared differences over all elements, as a Python `float`.
#
# `mse_grad(y_pred, y_true)` returns the gradient of `mse` with respect to `y_pred`:
# `2 * (y_pred - y_true) / N`, where `N` is the number of elements (not the number of rows).
def mse(y_pred, y_true):
    """Return mean((y_pred - y_true) ** 2) over all elements, as a float."""
    raise NotImplementedError("Q5: write mse")


def mse_grad(y_pred, y_true):
    """Return 2 * (y_pred - y_true) / N, N = number of elements."""
    raise NotImplementedError("Q5: write mse_grad")


# %%
# ## Q6 (fix): backpropagating to the hidden layer
#
# A two-layer network computes `z1 = x @ W1.T + b1`, `a1 = relu(z1)` and
# `z2 = a1 @ W2.T + b2`, with weights stored `(out_features, in_features)`. Given
# `delta2 = dL/dz2`, the function should return `delta1 = dL/dz1`. Shapes:
#
# - `delta2`: `(N, out)`, `W2`: `(out, hidden)`, `z1`: `(N, hidden)`, `W1`: `(hidden, in)`
# - result: `(N, hidden)`
#
# The code below gives wrong values (or a shape error). Find the bug and fix it.
def backprop_delta1(delta2, W1, W2, z1):
    """Return dL/dz1 given dL/dz2 for the network above."""
    return (delta2 @ W1) * (z1 > 0)


# %%
# ## Q7 (concept): the chain rule
#
# Why is the chain rule the key idea behind backpropagation?
#
# - A. It lets each layer's gradient be computed on its own, so layers can be trained one at a time.
# - B. It guarantees that the loss falls at every gradient step.
# - C. It replaces derivatives with finite differences, which are cheaper to compute.
# - D. The loss is a composition of layer functions, so dL/dW1 is a product of local derivatives;
#   backprop evaluates that product from the output backwards, reusing each layer's delta.
#
# Set `Q7_ANSWER` to one letter. Optionally, explain your choice in a sentence or two in
# `Q7_EXPLANATION`; an instructor may read it, but it does not change your score.
Q7_ANSWER = None
Q7_EXPLANATION = ""


# %%
# ## Q8 (predict): the learning rate
#
# The same network is trained with plain SGD twice, once with learning rate 10.0 and once
# with 0.0001. What do the loss curves most likely show?
#
# - A. Both reach the same loss at the same speed; the learning rate only changes the final
#   accuracy.
# - B. 10.0 converges fastest to the lowest loss; 0.0001 overfits.
# - C. With 10.0 the updates overshoot, so the loss oscillates or diverges; with 0.0001 the loss
#   falls so slowly that it looks as if nothing is learned.
# - D. 10.0 makes the loss fall very slowly; 0.0001 makes it blow up.
#
# Set `Q8_ANSWER` to one letter.
Q8_ANSWER = None


# %%
# ## Q9 (write): one-hot encoding
#
# `one_hot(y, n_classes)` takes a 1-D array of integer labels in `[0, n_classes)` and
# returns a float array of shape `(len(y), n_classes)`: row `i` is all zeros except for a
# 1 in column `y[i]`. Hint: NumPy's advanced indexing can set all the ones in one line.
def one_hot(y, n_classes):
    """Return a (len(y), n_classes) float array with a single 1 per row, in column y[i]."""
    raise NotImplementedError("Q9: write one_hot")


# %%
# ## Q10 (fix): dropout at evaluation time
#
# `dropout(x, p, training, rng)` implements inverted dropout: during training each entry
# of `x` is dropped (set to 0) with probability `p`, using the mask
# `rng.random(x.shape) >= p` drawn from the `numpy.random.Generator` it is given, and the
# kept entries are scaled by `1 / (1 - p)`. When `training` is false it must return `x`
# unchanged. The version below also drops units at evaluation time, so predictions change
# from one call to the next. Fix it.
def dropout(x, p, training, rng):
    """Return inverted dropout of x in training, and x itself otherwise."""
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p)


# %%
# ## Q11 (concept): the DQN target network
#
# Why does DQN compute its TD targets with a separate target network?
#
# - A. The target network is a frozen copy refreshed only every C steps, so the targets hold still
#   for a while instead of moving with every update.
# - B. It doubles the amount of training data.
# - C. It lets the agent explore by acting with a different network.
# - D. It removes the need for a replay buffer.
#
# Set `Q11_ANSWER` to one letter, and optionally give your reason in `Q11_EXPLANATION`
# (read by a person, not scored).
Q11_ANSWER = None
Q11_EXPLANATION = ""


# %%
# ## Q12 (predict + write): L2 regularisation
#
# The regularised loss is `L + (lam / 2) * ||w||^2`.
#
# `l2_grad(grad, w, lam)` receives `grad = dL/dw` and returns the gradient of the
# regularised loss with respect to `w` (same shape as `w`).
#
# Then set `Q12_ANSWER` to the number each weight is multiplied by in one plain SGD step
# (before the loss gradient is subtracted) when the learning rate and `lam` are both 0.01.
def l2_grad(grad, w, lam):
    """Return the gradient of L + (lam / 2) * ||w||^2 with respect to w."""
    raise NotImplementedError("Q12: write l2_grad")


Q12_ANSWER = None
