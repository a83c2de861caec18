# %%
# # Mini-project: a NumPy MLP on handwritten digits
#
# You will build the whole training pipeline of a small neural network by hand: create the
# weights, run the forward pass, measure the loss, backpropagate, and take SGD steps. The
# data is scikit-learn's digits set: 1797 grey-scale images of 8x8 pixels, each labelled
# with the digit 0-9 it shows. The network is a two-layer MLP, 64 -> 32 -> 10:
#
#     z1 = X @ W1.T + b1        (N, 32)   hidden pre-activations
#     a1 = relu(z1)             (N, 32)   hidden features
#     z2 = a1 @ W2.T + b2       (N, 10)   one score per digit
#     probs = softmax(z2)       (N, 10)   one probability distribution per image
#
# Conventions used everywhere below:
#
# - `X` is a float array of shape `(N, 64)`: one flattened image per row. The grader has
#   already divided the pixels (0..16 in scikit-learn) by 16, so they lie in [0, 1].
# - `y` is an int array of shape `(N,)` holding labels 0..9.
# - Weights are stored `(out_features, in_features)`, as in `torch.nn.Linear`: `W1` is
#   `(32, 64)` and `W2` is `(10, 32)`. That is why the layers multiply by `W.T`.
# - The parameters travel together in a dict with the keys `"W1"`, `"b1"`, `"W2"`, `"b2"`.
#
# Fill in every function, keeping its name and arguments: the grader calls them one by
# one, then calls your `train` and measures the accuracy of `predict` on images your code
# has never seen. Use NumPy only: a file that imports torch, scikit-learn, tensorflow or
# jax fails. Check your work with `dlgrade check digits.py --assignment digits`.
import numpy as np

# %%
# ## Step 1: hyperparameters
#
# `train` (at the end) uses these constants. The course trains with a learning rate of
# 0.1; if the loss barely moves, try a larger one such as 0.5. Training runs for a fixed
# number of SGD steps rather than epochs, so it does about the same amount of work whether
# it gets 80 images (the small track) or 1437 (the full track). You may change any of
# these, but keep `SEED` fixed so the same data always gives the same model.
SEED = 0
N_IN, N_HIDDEN, N_OUT = 64, 32, 10
LR = 0.1
BATCH = 32
STEPS = 3000
REPORT_EVERY = 30


# %%
# ## Step 2: initialise the parameters
#
# Return a dict of four NumPy arrays:
#
# - `"W1"`: `(n_hidden, n_in)` and `"W2"`: `(n_out, n_hidden)`, drawn at random from the
#   `numpy.random.Generator` you are given (for example `rng.normal(0, scale, shape)`);
# - `"b1"`: `(n_hidden,)` and `"b2"`: `(n_out,)`, which can start at zero.
#
# The weights must not all be equal: hidden units that start identical get identical
# gradients and never become different. Their scale matters too. A standard choice for
# ReLU layers is a standard deviation of `sqrt(2 / fan_in)`, where `fan_in` is the number
# of inputs of the layer (He initialisation).
def init_params(n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator) -> dict:
    """Return random weights W1 (n_hidden, n_in), W2 (n_out, n_hidden) and biases b1, b2."""
    raise NotImplementedError("init_params: create W1, b1, W2, b2")


# %%
# ## Step 3: the forward pass
#
# Compute the four lines of the introduction and return two things:
#
# 1. `probs`, shape `(N, 10)`: every entry between 0 and 1, and every row summing to 1;
# 2. a `cache` dict holding whatever `backward` will need later, for example
#    `{"X": X, "z1": z1, "a1": a1, "probs": probs}`.
#
# Softmax hints:
#
# - Each row is one image, so normalise **along axis 1** (`axis=1, keepdims=True`). With
#   `axis=0` you would turn each class column into a distribution over the batch instead.
# - Do not forget the division: `np.exp(z2)` alone is not a probability distribution. The
#   rows only sum to 1 after you divide each one by its own sum.
# - Subtract each row's maximum before `np.exp`. It does not change the result, and it
#   stops `np.exp` from overflowing to `inf` when the scores are large.
def forward(params: dict, X: np.ndarray) -> tuple:
    """Return (probs, cache): probs (N, 10) with rows summing to 1, and what backward needs."""
    raise NotImplementedError("forward: compute z1, a1, z2 and the softmax probabilities")


# %%
# ## Step 4: the cross-entropy loss
#
# The loss is the mean, over the N images, of minus the log of the probability your network
# gives to the correct label: `-mean(log(probs[i, y[i]]))`. Pick those N probabilities at
# once with `probs[np.arange(len(y)), y]`. Return a plain Python `float` (use `float(...)`).
#
# If the network is very sure of a wrong answer, the probability of the right one can come
# out as exactly 0.0, and `np.log(0.0)` is `-inf`. Clip the probabilities to a tiny
# positive floor first (say `1e-12`) so the loss stays finite, and write a comment saying
# why you did it.
def loss(probs: np.ndarray, y: np.ndarray) -> float:
    """Return the mean cross-entropy -mean(log probs[i, y[i]]) as a float."""
    raise NotImplementedError("loss: compute the mean cross-entropy")


# %%
# ## Step 5: backpropagation
#
# Return the gradient of the loss with respect to each parameter: a dict with the same
# keys as `params`, each array with the same shape as the parameter it belongs to.
#
# Work backwards through the forward pass, one line at a time:
#
# - For softmax followed by cross-entropy, the gradient with respect to `z2` has a short
#   form: `(probs - onehot(y)) / N`, where `onehot(y)` has a 1 in column `y[i]` of row `i`.
# - `N` is the number of images in this batch, `len(y)`, because the loss is a mean over
#   them. A common bug divides by the number of classes (10) instead: the gradients then
#   scale wrongly whenever the batch size is not 10.
# - From `z2 = a1 @ W2.T + b2`, work out the gradients for `W2`, `b2` and `a1`. A bias is
#   added to every row, so its gradient sums over the rows.
# - ReLU lets the gradient through only where `z1 > 0`.
# - From `z1 = X @ W1.T + b1`, finish with `W1` and `b1`.
#
# Write down the shape of each intermediate and check it: `dW1` must be `(32, 64)`, like
# `W1`. A good way to test this function is to compare each entry with a finite difference,
# `(loss(W + eps) - loss(W - eps)) / (2 * eps)`, on a few random entries.
def backward(params: dict, cache: dict, y: np.ndarray) -> dict:
    """Return {"W1": dL/dW1, "b1": dL/db1, "W2": dL/dW2, "b2": dL/db2}, shaped like params."""
    raise NotImplementedError("backward: compute the gradient of every parameter")


# %%
# ## Step 6: the SGD update
#
# One step of gradient descent moves each parameter a little against its gradient:
# `p - lr * g`. Return a **new** dict with the updated arrays and leave the `params` you
# were given unchanged (so no `-=` on them).
def update(params: dict, grads: dict, lr: float) -> dict:
    """Return a new dict {name: params[name] - lr * grads[name]}."""
    raise NotImplementedError("update: take one SGD step")


# %%
# ## Step 7: the training loop
#
# `train` is written for you: it starts from `init_params`, then for `STEPS` steps takes a
# mini-batch of shuffled images, runs `forward`, `loss`, `backward` and `update` on it, and
# every `REPORT_EVERY` steps calls `report(step, mean_loss)` with the mean loss since the
# last report. The grader passes its own `report` to draw your loss curve. It works as soon
# as Steps 2 to 6 do; until then it stops at the first `NotImplementedError`.
#
# Watch the loss curve. It should fall quickly at first and then level off. If it barely
# moves, the learning rate may be too small or a gradient may be off by a constant factor
# (check what you divide by). If it jumps around or becomes `nan`, the learning rate may be
# too large or the softmax may be overflowing. On the 80 images of the small track the loss
# will head towards zero: the network memorises its training images, and the test accuracy
# stays well below the training accuracy.
def train(X: np.ndarray, y: np.ndarray, report=None) -> dict:
    """Train the 64 -> 32 -> 10 MLP with mini-batch SGD and return its parameters."""
    rng = np.random.default_rng(SEED)
    params = init_params(N_IN, N_HIDDEN, N_OUT, rng)
    n = len(X)
    batch = min(BATCH, n)
    steps_per_epoch = -(-n // batch)  # ceil(n / batch)
    losses = []  # batch losses since the last report
    for step in range(STEPS):
        if step % steps_per_epoch == 0:
            order = rng.permutation(n)  # reshuffle at the start of every epoch
        idx = order[(step % steps_per_epoch) * batch :][:batch]
        probs, cache = forward(params, X[idx])
        losses.append(loss(probs, y[idx]))
        grads = backward(params, cache, y[idx])
        params = update(params, grads, LR)
        if report is not None and (step + 1) % REPORT_EVERY == 0:
            report(step + 1, float(np.mean(losses)))
            losses = []
    return params


# %%
# ## Step 8: predictions
#
# Return the predicted digit of every image: an int array of shape `(N,)`, the class with
# the highest probability in each row (`argmax` along axis 1).
def predict(params: dict, X: np.ndarray) -> np.ndarray:
    """Return the (N,) int array of predicted labels."""
    raise NotImplementedError("predict: take the most probable class of each row")


# %%
# ## Trying it out
#
# The grader loads the data itself, so this file needs only NumPy. To train and evaluate
# on your own machine, run something like this in a separate script or notebook (not in
# the file you submit, since the grader rejects scikit-learn imports):
#
# ```python
# from sklearn.datasets import load_digits
# from sklearn.model_selection import train_test_split
# from digits import predict, train
#
# X, y = load_digits(return_X_y=True)
# X = X / 16.0
# X_train, X_test, y_train, y_test = train_test_split(
#     X, y, test_size=0.2, random_state=0, stratify=y
# )
# curve = []
# params = train(X_train, y_train, report=lambda step, value: curve.append((step, value)))
# print("test accuracy:", (predict(params, X_test) == y_test).mean())
# ```
#
# For the small track, use `X[:100]` and `y[:100]` (and `stratify=y[:100]`) in the split.
# Plot `curve` with matplotlib to see your loss curve. In the notebook, you can run these
# lines in a new cell without the `from digits import` line, but delete that cell before
# you submit.
