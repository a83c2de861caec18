"""The self-check's functions, one contract each: inputs, worked examples, properties and
the mistakes students make (from the course's texts and from real code).

Conventions (the template states them too): a batch has one sample per row; "along the
last axis" is axis=-1; weights are stored (out_features, in_features) as in torch.nn.Linear.
"""

from __future__ import annotations

import numpy as np

from graders.checks.core import as_array, show
from graders.contract import Example, Fail, Function, Mistake, Property, Tolerance, arguments
from graders.inputs import DTYPES, arrays, labels, one_of_values, same_shape
from graders.sandbox.runner import Rng
from graders.strategies import Draw, st

Z = np.array([[-2.0, 0.0, 3.0], [0.5, -0.5, 0.0]])  # (2, 3): negatives, exact zeros, positives
DOUT = np.array([[1.5, -2.0, 0.7], [-1.0, 3.0, 2.0]])  # (2, 3)

# -- Q2: relu and its backward pass -------------------------------------------------------

relu = Function(
    "relu(z)",
    doc="Return max(z, 0) element-wise.",
    inputs=arguments(z=arrays()),
    examples=(
        Example((np.array([-3.0, 0.0, 2.5]),), [0.0, 0.0, 2.5]),
        Example((Z,), [[0.0, 0.0, 3.0], [0.5, 0.0, 0.0]]),
        Example((np.array([-1e4, 1e4], dtype=np.float32),), [0.0, 1e4]),
    ),
    examples_title="relu gives max(0, z) on hand-worked examples (1-D, 2-D, zeros, float32)",
    reference_title="relu agrees with the reference on generated inputs (zeros, |z| up to 1e4, "
    "float32)",
    mistakes=(
        Mistake(
            "relu_minimum",
            "max and min swapped",
            "ReLU keeps positive values: np.maximum(z, 0), not np.minimum.",
            "np.minimum(z, 0)",
        ),
        Mistake(
            "relu_abs",
            "absolute value instead of ReLU",
            "ReLU sends negative inputs to 0, not to their magnitude.",
            "np.abs(z)",
        ),
        Mistake(
            "relu_assumes_1d",
            "written for one vector only",
            "A loop over z (or a list comprehension) visits whole rows of a batch; use "
            "np.maximum(z, 0), which works element-wise on any shape.",
            """
            def relu(z):
                if z.ndim != 1:
                    raise ValueError("The truth value of an array is ambiguous")
                return np.maximum(z, 0)
            """,
        ),
        Mistake(
            "relu_assumes_2d",
            "written for a 2-D batch only",
            "Index with ... or use element-wise functions (np.maximum) so any shape works: a "
            "single sample is a 1-D array.",
            """
            def relu(z):
                return np.maximum(z[:, :], 0)
            """,
        ),
    ),
    diagnostic=((Z,), (np.array([-3.0, 0.0, 2.5]),)),
)

relu_backward = Function(
    "relu_backward(dout, z)",
    doc="Return dL/dz: dout where z > 0, else 0.",
    inputs=same_shape(2, scales=(30.0, 1e4)),  # (dout, z): one shape and dtype
    examples=(
        Example((np.array([5.0, 5.0, 5.0]), np.array([-1.0, 0.0, 1.0])), [0.0, 0.0, 5.0]),
        Example((DOUT, Z), [[0.0, 0.0, 0.7], [-1.0, 0.0, 0.0]]),
    ),
    examples_title="relu_backward passes dout where z > 0 and blocks it where z <= 0",
    reference_title="relu_backward agrees with the reference on generated inputs, exact zeros "
    "included",
    mistakes=(
        Mistake(
            "relu_backward_returns_relu",
            "the forward pass returned in the backward pass",
            "relu_backward(dout, z) multiplies dout by the mask (z > 0); it does not return "
            "relu(z).",
            "np.maximum(z, 0)",
        ),
        Mistake(
            "relu_backward_ignores_dout",
            "the upstream gradient dout ignored",
            "relu_backward returns dout * (z > 0); the mask alone is only ReLU's local derivative.",
            "(z > 0).astype(float)",
        ),
        Mistake(
            "relu_backward_masks_dout",
            "masked by the sign of dout instead of z",
            "Whether gradient flows depends on the forward input z, not on the incoming gradient.",
            "dout * (dout > 0)",
        ),
        Mistake(
            "relu_backward_passes_at_zero",
            "gradient let through where z = 0",
            "The mask is z > 0, not z >= 0: at exactly z = 0 the gradient must be 0.",
            "dout * (z >= 0)",
        ),
    ),
    diagnostic=((DOUT, Z), (np.array([5.0, 5.0, 5.0]), np.array([-1.0, 0.0, 1.0]))),
)

# -- Q3: a numerically stable softmax -------------------------------------------------------


def rows_sum_to_one(p: object, z: np.ndarray) -> None:
    """Each row of softmax(z) is a probability distribution: entries in [0, 1] summing to 1"""
    p = as_array(p, "softmax(z)")
    if p.shape != z.shape:
        raise Fail(f"softmax(z) for z = {show(z)} has shape {p.shape}; it should keep z's shape "
                   f"{z.shape}")  # fmt: skip
    sums = p.astype(np.float64).sum(axis=-1, keepdims=True)
    bad = ~np.isclose(sums, 1.0, atol=1e-4)
    if bad.any() or (p < 0).any() or (p > 1 + 1e-6).any():
        row = int(np.argwhere(bad)[0][0]) if bad.any() and z.ndim == 2 else 0
        total = float(sums.reshape(-1)[row])
        hint = "Divide by the sum along the last axis, with keepdims=True."
        if z.ndim == 2 and np.allclose(p.sum(axis=0), 1.0, atol=1e-4):
            hint = "The columns sum to 1 instead: normalise along the last axis (axis=-1)."
        raise Fail(f"rows of softmax(z) should sum to 1; row {row} sums to {total:.4g}", hint=hint)


def large_inputs_finite(p: object, z: np.ndarray) -> None:
    """softmax stays finite for logits as large as 1e4 (no overflow)"""
    p = as_array(p, "softmax(z)")
    if p.dtype.kind not in "biuf" or not np.isfinite(p.astype(np.float64)).all():
        raise Fail(
            f"softmax(z) for z = {show(z)} returned {show(p)}, which is not finite",
            hint="np.exp overflows for inputs above about 709: subtract the row max first.",
        )


softmax = Function(
    "softmax(z)",
    doc="Return exp(z) / sum(exp(z)) along the last axis.",
    inputs=arguments(z=arrays()),
    examples=(
        Example((np.array([1.0, 2.0, 3.0]),), [0.09003057, 0.24472847, 0.66524096]),
        Example((np.array([[0.0, 0.0], [0.0, np.log(3.0)]]),), [[0.5, 0.5], [0.25, 0.75]]),
    ),
    examples_title="softmax matches exp(z) / sum(exp(z)) on small 1-D and 2-D examples",
    reference_title="softmax agrees with the reference on 1-D and 2-D inputs up to |z| = 1e4",
    # A log-sum-exp softmax is right too, but in float32 at |z| = 1e4 it loses about
    # |z| * eps32 = 1e-3 of relative precision (the shifted exp(z - max) does not).
    tolerance=Tolerance(rtol32=2e-3),
    mistakes=(
        Mistake(
            "softmax_no_max_shift",
            "softmax without subtracting the row max (overflow)",
            "np.exp overflows above about 709. Subtract z.max(axis=-1, keepdims=True) first: "
            "the result is mathematically the same.",
            """
            def softmax(z):
                e = np.exp(z)
                return e / e.sum(axis=-1, keepdims=True)
            """,
        ),
        Mistake(
            "softmax_wrong_axis",
            "softmax normalised along the wrong axis",
            "Rows are samples: take the max and the sum along the last axis (axis=-1 or axis=1 "
            "for a batch), with keepdims=True.",
            """
            def softmax(z):
                e = np.exp(z - z.max(axis=0, keepdims=True))
                return e / e.sum(axis=0, keepdims=True)
            """,
        ),
        Mistake(
            "softmax_not_normalised",
            "softmax not normalised",
            "After exponentiating, divide by the sum along the last axis so each row sums to 1.",
            "np.exp(z - z.max(axis=-1, keepdims=True))",
        ),
        Mistake(
            "softmax_global_max_shift",
            "shifted by the global max instead of each row's max",
            "z.max() takes the max of the whole batch; a row far below it underflows to 0/0. "
            "Use z.max(axis=-1, keepdims=True).",
            """
            def softmax(z):
                e = np.exp(z - z.max())
                return e / e.sum(axis=-1, keepdims=True)
            """,
        ),
        Mistake(
            "softmax_normalises_whole_array",
            "normalised over the whole array instead of each row",
            "Each row of a batch is its own distribution: sum along the last axis, "
            "e.sum(axis=-1, keepdims=True), not e.sum().",
            """
            def softmax(z):
                e = np.exp(z - z.max())
                return e / e.sum()
            """,
        ),
        Mistake(
            "softmax_assumes_2d",
            "written for a 2-D batch only (axis=1)",
            "A single sample is a 1-D array with no axis 1: use axis=-1, the last axis, for "
            "the max and the sum so 1-D and 2-D inputs both work.",
            """
            def softmax(z):
                e = np.exp(z - z.max(axis=1, keepdims=True))
                return e / e.sum(axis=1, keepdims=True)
            """,
        ),
        Mistake(
            "softmax_assumes_1d",
            "written for one vector only",
            "Python's max() and a plain sum() treat a batch as one list: use "
            "z.max(axis=-1, keepdims=True) and e.sum(axis=-1, keepdims=True) so each row of "
            "a batch is normalised on its own.",
            """
            def softmax(z):
                if z.ndim != 1:
                    raise ValueError("The truth value of an array is ambiguous")
                e = np.exp(z - z.max())
                return e / e.sum()
            """,
        ),
        Mistake(
            "softmax_no_keepdims",
            "max or sum taken without keepdims",
            "z.max(axis=1) has shape (N,), which broadcasts against the columns; use "
            "keepdims=True so it has shape (N, 1).",
            """
            def softmax(z):
                e = np.exp(z - z.max(axis=-1))
                return e / e.sum(axis=-1)
            """,
        ),
    ),
    diagnostic=(
        (np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 4.0]]),),
        (np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]]),),
        (np.array([[0.5, 1.5], [2.0, -1.0], [0.0, 0.0]]),),
        (np.array([[0.5, 1.5], [3.0, -1.0]]),),  # square: a missing keepdims gives values
        (np.array([1.0, 2.0, 3.0]),),  # 1-D: one sample
        (np.array([1000.0, 1001.0, 1002.0]),),  # 1-D, large
    ),
    starter="softmax_no_max_shift",
)

softmax_rows_sum_to_one = Property(softmax, rows_sum_to_one, inputs=arguments(z=arrays(30.0)))
softmax_large_inputs_finite = Property(
    softmax,
    large_inputs_finite,
    cases=(
        (np.array([1000.0, 1001.0, 1002.0]),),
        (np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0]]),),
        (np.array([[800.0, 800.0], [-800.0, -800.0]], dtype=np.float32),),
    ),
)

# -- Q5: mean squared error ------------------------------------------------------------------

Y_PRED = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])  # (3, 2)
Y_TRUE = np.array([[1.0, 0.0], [1.0, 4.0], [0.0, 2.0]])  # (3, 2): errors 0, 2, 2, 0, 0, -2
# (3, 4), not square: dividing by rows (3) and by elements (12) give different answers.
PRED = np.array([[1.0, 2.0, 4.0, 0.5], [0.0, -1.0, 3.0, 2.0], [2.0, 2.0, 2.0, -2.0]])
TRUE = np.array([[0.0, 2.5, 1.0, 0.5], [1.0, -3.0, 3.0, 0.0], [0.0, 0.5, 4.0, -1.0]])

mse = Function(
    "mse(y_pred, y_true)",
    doc="Return mean((y_pred - y_true) ** 2) over all elements, as a float.",
    inputs=same_shape(2, scales=(1e3,)),
    returns="number",
    examples=(
        Example((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), 4.0 / 3.0),
        Example((Y_PRED, Y_TRUE), 12.0 / 6.0),
        Example((np.zeros((2, 5), dtype=np.float32), np.zeros((2, 5), dtype=np.float32)), 0.0),
    ),
    examples_title="mse returns one float: the mean of the squared errors over every element",
    reference_title="mse agrees with the reference on generated 1-D and 2-D inputs",
    mistakes=(
        Mistake(
            "mse_no_square",
            "errors not squared",
            "Square the differences before averaging: mean((y_pred - y_true) ** 2).",
            "float(np.mean(y_pred - y_true))",
        ),
        Mistake(
            "mse_sum_not_mean",
            "squared errors summed instead of averaged",
            "MSE is the mean: divide the sum by the number of elements (or use np.mean).",
            "float(np.sum((y_pred - y_true) ** 2))",
        ),
        Mistake(
            "mse_half_convention",
            "the 1/2 convention: half the mean squared error",
            "Some courses define the loss as (1/2) * mean of squares to tidy its gradient; "
            "here mse is the plain mean of the squared errors, with no 1/2.",
            "float(np.mean((y_pred - y_true) ** 2)) / 2",
        ),
        Mistake(
            "mse_half_sum",
            "half the sum of squared errors (Deep Learning from Scratch's loss)",
            "That loss is 0.5 * sum((y - t) ** 2); mse here is the mean over every element: "
            "np.mean((y_pred - y_true) ** 2).",
            "0.5 * float(np.sum((y_pred - y_true) ** 2))",
        ),
        Mistake(
            "mse_one_over_2m",
            "the 1/(2m) cost of linear-regression courses",
            "That cost divides the sum of squares by twice the number of samples (rows). Here "
            "mse is the mean over every element: np.mean((y_pred - y_true) ** 2).",
            "float(np.sum((y_pred - y_true) ** 2)) / (2 * len(y_pred))",
        ),
        Mistake(
            "mse_root",
            "root-mean-square instead of mean square",
            "MSE has no square root.",
            "float(np.sqrt(np.mean((y_pred - y_true) ** 2)))",
        ),
    ),
    diagnostic=((PRED, TRUE),),
)

mse_grad = Function(
    "mse_grad(y_pred, y_true)",
    doc="Return 2 * (y_pred - y_true) / N, N = number of elements.",
    inputs=same_shape(2, scales=(1e3,)),
    examples=(
        Example((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), [0.0, 0.0, -4.0 / 3.0]),
        Example((Y_PRED, Y_TRUE), [[0.0, 4.0 / 6.0], [4.0 / 6.0, 0.0], [0.0, -4.0 / 6.0]]),
    ),
    examples_title="mse_grad returns 2 * (y_pred - y_true) / N, with N the number of elements",
    reference_title="mse_grad agrees with the reference on generated 1-D and 2-D inputs",
    mistakes=(
        Mistake(
            "mse_grad_sign_flipped",
            "MSE gradient with the sign flipped",
            "The gradient points from y_true to y_pred: 2 * (y_pred - y_true) / N.",
            "2 * (y_true - y_pred) / y_pred.size",
        ),
        Mistake(
            "mse_grad_not_divided",
            "MSE gradient not divided by N",
            "MSE averages over N elements, so its gradient carries a 1/N.",
            "2 * (y_pred - y_true)",
        ),
        Mistake(
            "mse_grad_missing_two",
            "the factor 2 missing from the MSE gradient",
            "d/dy (y - t)^2 = 2 (y - t): keep the 2.",
            "(y_pred - y_true) / y_pred.size",
        ),
        Mistake(
            "mse_grad_residual_only",
            "the residual y_pred - y_true returned as the gradient",
            "That is the gradient of half the sum of squares. The mean's gradient keeps the 2 "
            "and divides by the number of elements: 2 * (y_pred - y_true) / y_pred.size.",
            "y_pred - y_true",
        ),
        Mistake(
            "mse_grad_one_over_m",
            "the gradient of the 1/(2m) cost: (y_pred - y_true) / m",
            "mse is the mean over every element, so its gradient is 2 * (y_pred - y_true) / N "
            "with N = y_pred.size, not the residual over the number of rows.",
            "(y_pred - y_true) / len(y_pred)",
        ),
        Mistake(
            "mse_grad_reduced_to_scalar",
            "the gradient reduced to one number",
            "The gradient has one entry per prediction, the shape of y_pred: do not take its "
            "mean or sum.",
            "2 * float(np.mean(y_pred - y_true))",
        ),
        Mistake(
            "mse_grad_divides_by_rows",
            "gradient divided by the number of rows, not elements",
            "The mean is over all elements, so divide by y_pred.size, not len(y_pred).",
            "2 * (y_pred - y_true) / len(y_pred)",
        ),
    ),
    diagnostic=((PRED, TRUE),),
)

# -- Q6: backprop through the hidden layer ------------------------------------------------------


@st.composite
def layer_tensors(draw: Draw) -> tuple[np.ndarray, ...]:
    """(delta2, W1, W2, z1) for a batch of N, with in/hidden/out sizes drawn independently."""
    n, n_in, hidden, out = (draw(st.integers(1, 6)) for _ in range(4))
    dtype = draw(st.sampled_from(DTYPES))

    def tensor(shape: tuple[int, int], scale: float) -> np.ndarray:
        return draw(arrays(scale, shape=shape, dtypes=(dtype,)))

    # (N, out), (hidden, in), (out, hidden), (N, hidden): z1 reaches exact zeros often
    return (
        tensor((n, out), 1.0),
        tensor((hidden, n_in), 1.0),
        tensor((out, hidden), 1.0),
        tensor((n, hidden), 3.0),
    )


def one_delta_per_hidden_unit(
    delta1: object, delta2: np.ndarray, W1: np.ndarray, W2: np.ndarray, z1: np.ndarray
) -> None:
    """backprop_delta1 returns one delta per hidden unit: shape (N, hidden)"""
    got = as_array(delta1, "backprop_delta1")
    expected = z1.shape
    if got.shape != expected:
        shapes = f"delta2 {delta2.shape}, W1 {W1.shape}, W2 {W2.shape}, z1 {z1.shape}"
        raise Fail(
            f"with {shapes}, backprop_delta1 returned shape {got.shape}; expected "
            f"(N, hidden) = {expected}",
            counterexample=shapes,
        )


RNG = np.random.default_rng(7)
SQUARE = tuple(np.round(RNG.uniform(-2, 2, (3, 3)), 1) for _ in range(4))
SQUARE[3][0, 0] = 0.0  # an exact zero in z1: the masks differ there
# Square first (every wrong version computes something), then (N, out, hidden, in) = (2, 3, 4, 5).
RECTANGULAR = (
    np.round(RNG.uniform(-2, 2, (2, 3)), 1),
    np.round(RNG.uniform(-2, 2, (4, 5)), 1),
    np.round(RNG.uniform(-2, 2, (3, 4)), 1),
    np.round(RNG.uniform(-2, 2, (2, 4)), 1),
)

backprop_delta1 = Function(
    "backprop_delta1(delta2, W1, W2, z1)",
    doc="Return dL/dz1 given dL/dz2 for the network above.",
    inputs=layer_tensors(),
    examples=(
        Example(
            (
                np.array([[1.0, -1.0]]),  # delta2 (N=1, out=2)
                np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),  # W1 (hidden=3, in=2)
                np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),  # W2 (out=2, hidden=3)
                np.array([[0.5, -1.0, 0.0]]),  # z1 (N=1, hidden=3): only unit 0 is active
            ),
            [[-3.0, 0.0, 0.0]],  # delta2 @ W2 = [[-3, -3, -3]], masked by (z1 > 0) = [[1, 0, 0]]
        ),
    ),
    examples_title="backprop_delta1 gives (delta2 @ W2) * (z1 > 0) on a worked example",
    reference_title="backprop_delta1 agrees with the reference for any batch and layer sizes",
    mistakes=(
        Mistake(
            "backprop_uses_w1",
            "W1 used instead of W2",
            "The delta flows back through the layer it came out of: delta2 @ W2.",
            "(delta2 @ W1) * (z1 > 0)",
        ),
        Mistake(
            "backprop_wrong_transpose",
            "W2 transposed the wrong way",
            "W2 is stored (out, hidden) and z2 = a1 @ W2.T, so going back is delta2 @ W2 "
            "(shape (N, hidden)).",
            "(delta2 @ W2.T) * (z1 > 0)",
        ),
        Mistake(
            "backprop_samples_as_columns",
            "one sample per column (W2.T @ delta2)",
            "Some courses keep samples in columns; here a batch has one sample per row, so "
            "the delta goes back as delta2 @ W2, of shape (N, hidden).",
            "(W2.T @ delta2) * (z1 > 0)",
        ),
        Mistake(
            "backprop_missing_mask",
            "the ReLU derivative (mask) left out",
            "Multiply by ReLU'(z1) = (z1 > 0) element-wise after delta2 @ W2.",
            "delta2 @ W2",
        ),
        Mistake(
            "backprop_mask_is_activation",
            "multiplied by relu(z1) instead of its derivative",
            "The chain rule needs ReLU'(z1), which is 0 or 1: use (z1 > 0), not relu(z1).",
            "(delta2 @ W2) * np.maximum(z1, 0)",
        ),
        Mistake(
            "backprop_mask_at_zero",
            "ReLU derivative taken as 1 at z1 = 0",
            "Use (z1 > 0): at exactly 0 the unit passes no gradient.",
            "(delta2 @ W2) * (z1 >= 0)",
        ),
    ),
    diagnostic=(SQUARE, RECTANGULAR),
    starter="backprop_uses_w1",
)

backprop_delta1_shape = Property(
    backprop_delta1,
    one_delta_per_hidden_unit,
    called="shape",
    cases=(
        tuple(
            np.random.default_rng(0).normal(size=shape)
            for shape in ((4, 2), (3, 5), (2, 3), (4, 3))  # N, in, hidden, out all differ
        ),
    ),
)

# -- Q9: one-hot encoding ----------------------------------------------------------------


def n_classes_columns(Y: object, y: np.ndarray, n_classes: int) -> None:
    """one_hot has n_classes columns even when the batch lacks the highest classes"""
    got = as_array(Y, "one_hot")
    if got.shape != (len(y), n_classes):
        raise Fail(
            f"one_hot(y, {n_classes}) for y = {show(y)} has shape {got.shape}; expected "
            f"(len(y), n_classes) = {(len(y), n_classes)}"
        )


def float_array(Y: object, y: np.ndarray, n_classes: int) -> None:
    """one_hot returns a float array"""
    got = as_array(Y, "one_hot")
    if got.dtype.kind != "f":
        raise Fail(
            f"one_hot(y, {n_classes}) returned dtype {got.dtype}; it should be a float array",
            mistake="one_hot_int_dtype" if got.dtype.kind in "iub" else "",
        )


one_hot = Function(
    "one_hot(y, n_classes)",
    doc="Return a (len(y), n_classes) float array with a single 1 per row, in column y[i].",
    inputs=labels(),
    examples=(
        Example(
            (np.array([2, 0, 1, 2]), 3),
            [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]],
        ),
    ),
    examples_title="one_hot puts a single 1.0 in column y[i] of row i",
    reference_title="one_hot agrees with the reference for any labels and number of classes",
    mistakes=(
        Mistake(
            "one_hot_transposed",
            "one-hot matrix transposed",
            "One row per sample: the shape is (len(y), n_classes).",
            "np.eye(n_classes)[y].T",
        ),
        Mistake(
            "one_hot_sized_from_labels",
            "width taken from max(y) + 1 instead of n_classes",
            "A batch may not contain the highest class; always make n_classes columns.",
            "np.eye(int(np.max(y)) + 1)[y]",
        ),
        Mistake(
            "one_hot_squeezes_single_row",
            "the batch axis squeezed away",
            "np.squeeze drops every axis of length 1, so a batch of one label loses its row: "
            "keep the shape (len(y), n_classes).",
            "np.squeeze(np.eye(n_classes)[y])",
        ),
        Mistake(
            "one_hot_hardcoded_classes",
            "the number of classes hard-coded",
            "Make as many columns as the n_classes argument says, not a fixed number.",
            "np.eye(5)[y]",
        ),
        Mistake(
            "one_hot_int_dtype",
            "integers instead of floats",
            "The targets feed float arithmetic (a loss, its gradient): build them with "
            "np.zeros((len(y), n_classes)), which is float64, and do not cast to int.",
            "np.eye(n_classes, dtype=int)[y]",
        ),
        Mistake(
            "one_hot_off_by_one",
            "class indices shifted by one",
            "Class k sets column k (0-based): Y[np.arange(len(y)), y] = 1, with no +1 or -1.",
            "np.eye(n_classes)[y - 1]",
        ),
        Mistake(
            "one_hot_off_by_one_up",
            "class indices shifted up by one",
            "Class k sets column k (0-based): Y[np.arange(len(y)), y] = 1, with no +1.",
            "np.eye(n_classes)[y + 1]",
        ),
    ),
    # The top class is left out on purpose: a shifted index fails there in some versions and
    # not in others, and both are the same mistake.
    diagnostic=((np.array([0, 2, 1]), 5), (np.array([2, 0, 2, 1]), 4), (np.array([1]), 3)),
)

one_hot_shape = Property(
    one_hot, n_classes_columns, cases=((np.array([0, 2, 1]), 5),), called="shape"
)
one_hot_floats = Property(one_hot, float_array, cases=((np.array([2, 0, 1, 2]), 3),))

# -- Q10: dropout --------------------------------------------------------------------------
# A correct mask may be drawn in many ways (rng.random, rng.binomial, ...), so dropout's
# mistakes are recognised by the statistics of its output, not by comparing values.

P_KEPT = 0.25
X_POSITIVE = np.random.default_rng(4).uniform(0.5, 2.0, size=(40, 50))  # random: x must matter


def unchanged_when_not_training(
    out: object, x: np.ndarray, p: float, training: bool, rng: Rng
) -> None:
    """With training=False, dropout returns x unchanged"""
    got = as_array(out, "dropout")
    if got.shape != x.shape or not np.allclose(got, x):
        changed = x.size if got.shape != x.shape else int((~np.isclose(got, x)).sum())
        scaled = got.shape == x.shape and np.allclose(got, x * (1 - p))
        raise Fail(
            f"dropout(x, p={p}, training=False, rng) changed {changed} of {x.size} entries; at "
            "evaluation time it must return x as it is",
            mistake="dropout_scales_at_eval" if scaled else "dropout_ignores_training",
        )


def kept_entries_scaled(out: object, x: np.ndarray, p: float, training: bool, rng: Rng) -> None:
    """In training, each entry is either dropped (0) or kept and scaled by 1/(1-p)"""
    got = as_array(out, "dropout").astype(np.float64)
    if got.shape != x.shape:
        raise Fail(f"dropout(x, p={p}, training=True, rng) returned shape {got.shape}; it "
                   f"should keep x's shape {x.shape}")  # fmt: skip
    kept = got != 0
    if not kept.any():
        raise Fail(
            f"dropout(x, p={p}, training=True, rng) dropped every entry",
            hint="Keep an entry with probability 1 - p: mask = rng.random(x.shape) >= p.",
        )
    ratio = got[kept] / x[kept]  # 1/(1-p) for every kept entry
    if np.allclose(ratio, 1 / (1 - p)):
        return
    if np.allclose(got[kept], 1 / (1 - p)):
        mistake = "dropout_ignores_x"
    elif np.allclose(got[kept], 1.0):
        mistake = "dropout_returns_mask"
    else:
        by_scale = {1.0: "dropout_no_scaling", 1 - p: "dropout_scales_by_keep"}
        by_scale[1 / p] = "dropout_p_is_keep" if kept.mean() < 0.5 else "dropout_scales_by_p"
        mistake = next((m for v, m in by_scale.items() if np.allclose(ratio, v)), "")
    raise Fail(
        f"dropout(x, p={p}, training=True, rng) kept entries as x times "
        f"{show(np.unique(np.round(ratio, 6))[:5])}; each kept entry should be x / (1 - p) "
        f"= x * {1 / (1 - p):.4g}",
        mistake=mistake,
        counterexample=f"x = a (40, 50) array of values in [0.5, 2]; p = {p}; training = True",
    )


dropout = Function(
    "dropout(x, p, training, rng)",
    doc="Return inverted dropout of x in training, and x itself otherwise.",
    inputs=arguments(x=arrays(), p=one_of_values(0.5), training=st.just(True), rng=st.just(Rng(0))),
    compare_with_reference=False,
    mistakes=(
        Mistake(
            "dropout_ignores_training",
            "dropout still active when training is False",
            "At evaluation time dropout must be switched off: return x unchanged when training "
            "is False.",
            """
            def dropout(x, p, training, rng):
                mask = rng.random(x.shape) >= p
                return x * mask / (1 - p)
            """,
        ),
        Mistake(
            "dropout_scales_at_eval",
            "classic dropout: x scaled by (1 - p) at evaluation time",
            "That is the original, non-inverted dropout. Here the scaling happens in training "
            "(divide kept entries by 1 - p), so evaluation returns x unchanged.",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x * (1 - p)
                return x * (rng.random(x.shape) >= p)
            """,
        ),
        Mistake(
            "dropout_ignores_x",
            "the scaled mask returned without multiplying by x",
            "Multiply the mask by x: x * mask / (1 - p).",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return (rng.random(x.shape) >= p) / (1 - p)
            """,
        ),
        Mistake(
            "dropout_returns_mask",
            "the mask returned instead of the masked x",
            "The mask only says which entries survive: return x * mask / (1 - p).",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return (rng.random(x.shape) >= p).astype(x.dtype)
            """,
        ),
        Mistake(
            "dropout_mask_from_normal",
            "the mask drawn from a normal distribution",
            "rng.standard_normal(x.shape) < p does not keep a fraction 1 - p; draw uniform "
            "numbers, rng.random(x.shape) >= p, so each entry is dropped with probability p.",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return x * (rng.standard_normal(x.shape) >= p) / (1 - p)
            """,
        ),
        Mistake(
            "dropout_no_scaling",
            "kept activations not scaled by 1/(1-p)",
            "Inverted dropout divides kept entries by 1 - p so the expected value matches "
            "evaluation time.",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return x * (rng.random(x.shape) >= p)
            """,
        ),
        Mistake(
            "dropout_p_is_keep",
            "p treated as the keep probability",
            "p is the probability of dropping: keep an entry when rng.random() >= p (or < 1 - p).",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return x * (rng.random(x.shape) < p) / p
            """,
        ),
        Mistake(
            "dropout_scales_by_p",
            "kept activations divided by p instead of 1 - p",
            "Entries are kept with probability 1 - p, so divide the kept ones by 1 - p.",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return x * (rng.random(x.shape) >= p) / p
            """,
        ),
        Mistake(
            "dropout_scales_by_keep",
            "kept activations multiplied by (1-p) instead of divided",
            "Inverted dropout divides by 1 - p during training so nothing needs scaling at "
            "evaluation.",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return x * (rng.random(x.shape) >= p) * (1 - p)
            """,
        ),
        Mistake(
            "dropout_global_rng",
            "the rng argument ignored",
            "Draw the mask from the Generator you are given (rng.random, rng.binomial), not "
            "np.random, so results are reproducible.",
            """
            def dropout(x, p, training, rng):
                if not training:
                    return x
                return x * (np.random.random(x.shape) >= p) / (1 - p)
            """,
        ),
    ),
    starter="dropout_ignores_training",
)

X_EVAL = np.random.default_rng(3).normal(size=(4, 6))
dropout_unchanged = Property(
    dropout,
    unchanged_when_not_training,
    called="identity_when_not_training",
    cases=((X_EVAL, 0.5, False, Rng(0)), (X_EVAL, 0.2, False, Rng(0))),
)
dropout_scaled = Property(dropout, kept_entries_scaled, cases=((X_POSITIVE, P_KEPT, True, Rng(1)),))

# -- Q12: the gradient of an L2 penalty -------------------------------------------------------


@st.composite
def gradient_weights_lambda(draw: Draw) -> tuple[np.ndarray, np.ndarray, float]:
    """(grad, w, lam): one shape and dtype, lam from 0 to 1."""
    grad, w = draw(same_shape(2, scales=(30.0,)))
    return grad, w, draw(one_of_values(0.0, 0.01, 0.1, 0.5, 1.0))


GRAD = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
W = np.array([[1.0, 2.0, -3.0], [4.0, -0.5, 0.25]])

l2_grad = Function(
    "l2_grad(grad, w, lam)",
    doc="Return the gradient of L + (lam / 2) * ||w||^2 with respect to w.",
    inputs=gradient_weights_lambda(),
    examples=(
        Example(
            (np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([[1.0, 2.0], [-3.0, 4.0]]), 0.1),
            [[0.6, -0.8], [1.7, 0.4]],
        ),
    ),
    examples_title="l2_grad returns grad + lam * w",
    reference_title="l2_grad agrees with the reference on generated gradients, weights and lambdas",
    mistakes=(
        Mistake(
            "l2_grad_ignores_grad",
            "the loss gradient dropped",
            "l2_grad returns the total gradient: the loss gradient plus lam * w.",
            "lam * w",
        ),
        Mistake(
            "l2_grad_sign_flipped",
            "L2 term subtracted instead of added",
            "The regularised gradient is grad + lam * w; the minus sign comes later, in the "
            "update.",
            "grad - lam * w",
        ),
        Mistake(
            "l2_grad_penalty_not_gradient",
            "the penalty added instead of its gradient",
            "Add the gradient of the penalty, lam * w, not the penalty lam * w**2 itself.",
            "grad + lam * w**2",
        ),
        Mistake(
            "l2_grad_penalty_gradient_only",
            "only the penalty's gradient, doubled: 2 * lam * w",
            "l2_grad returns the total gradient, grad + lam * w: keep the loss gradient, and "
            "the 1/2 in the penalty cancels the 2.",
            "2 * lam * w",
        ),
        Mistake(
            "l2_grad_derivative_of_squares",
            "the derivative of sum(w ** 2) alone: 2 * w",
            "The regularised gradient is grad + lam * w: the loss gradient plus lam times w.",
            "2 * w",
        ),
        Mistake(
            "l2_grad_two_lambda",
            "2 * lam * w instead of lam * w",
            "The penalty is lam/2 * ||w||^2, whose gradient is lam * w: the 1/2 cancels the 2.",
            "grad + 2 * lam * w",
        ),
    ),
    diagnostic=((GRAD, W, 0.1),),
)
