"""The activations assignment's functions, one contract each: inputs, worked examples,
properties, and the mistakes students make, from the course's text and from real code.

Conventions (the template states them too): a batch has one sample per row; element-wise
functions take 1-D or 2-D float32 or float64 arrays with entries up to 1e4 in magnitude;
derivatives take the pre-activation z; labels are integer class indices.
"""

from __future__ import annotations

import numpy as np

from graders.checks.core import as_array, show
from graders.contract import Example, Fail, Function, Mistake, Property, Tolerance, arguments
from graders.inputs import DTYPES, arrays, one_of_values
from graders.strategies import Deferred, Draw, hnp, st

LN3 = float(np.log(3.0))  # sigma(ln 3) = 3/4 and softmax([0, ln 3]) = [1/4, 3/4]: round answers
LN2 = float(np.log(2.0))  # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5
# (2, 3): a negative, a zero and a positive entry, then entries past exp's overflow at 709.
Z = np.array([[-2.0, 0.0, 3.0], [1e4, -1e4, 800.0]])
EXTREMES = np.array([[1e4, -1e4], [800.0, -800.0]])  # (2, 2): saturated, past the overflow


def expect_finite_within(out: object, z: np.ndarray, what: str, low: float, high: float,
                         hint: str) -> None:  # fmt: skip
    """Fail unless the reply has z's shape and every entry is finite and in [low, high]."""
    got = as_array(out, f"{what}(z)")
    if got.shape != z.shape:
        raise Fail(f"{what}(z) for z = {show(z)} has shape {got.shape}; it should keep z's "
                   f"shape {z.shape}")  # fmt: skip
    values = got.astype(np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (values < low) | (values > high)
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Fail(
            f"{what}(z) gave {values[at]:.6g} where z = {float(z[at]):.6g}; every value of "
            f"{what} is finite and lies in [{low:g}, {high:g}]",
            hint=hint,
        )


# -- Q1: sigmoid and its derivative -------------------------------------------------------------

OVERFLOW_HINT = (
    "np.exp overflows to inf above about 709, and inf / inf is nan. Write the formula with "
    "exp(-|z|), which lies in (0, 1]: 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0."
)

sigmoid = Function(
    "sigmoid(z)",
    doc="Return 1 / (1 + exp(-z)) element-wise, finite for any |z| up to 1e4.",
    inputs=arguments(z=arrays()),
    examples=(
        Example((np.array([0.0, LN3, -LN3]),), [0.5, 0.75, 0.25]),
        Example((EXTREMES,), [[1.0, 0.0], [1.0, 0.0]]),
        Example((np.array([0.0, 1e4, -1e4], dtype=np.float32),), [0.5, 1.0, 0.0]),
    ),
    examples_title="sigmoid gives 1 / (1 + exp(-z)) at z = 0, +-ln 3, +-800 and +-1e4",
    reference_title="sigmoid agrees with the reference on generated inputs up to |z| = 1e4",
    mistakes=(
        Mistake(
            "sigmoid_missing_brackets",
            "1 / 1 + exp(-z): the denominator's brackets left out",
            "Division binds tighter than addition: 1 / 1 + np.exp(-z) is 1 + exp(-z). Write "
            "1 / (1 + np.exp(-z)), then make it stable.",
            "1 / 1 + np.exp(-z)",
        ),
        Mistake(
            "sigmoid_exp_over_one_plus_exp",
            "exp(z) / (1 + exp(z)), which is inf / inf = nan for large z",
            OVERFLOW_HINT,
            "np.exp(z) / (1 + np.exp(z))",
        ),
    ),
    diagnostic=((Z,),),
)


def sigmoid_in_unit_interval(s: object, z: np.ndarray) -> None:
    """sigmoid stays finite and within [0, 1] for |z| up to 1e4"""
    expect_finite_within(s, z, "sigmoid", 0.0, 1.0, OVERFLOW_HINT)


sigmoid_bounded = Property(sigmoid, sigmoid_in_unit_interval, called="finite_and_bounded")

sigmoid_derivative = Function(
    "sigmoid_derivative(z)",
    doc="Return sigma(z) * (1 - sigma(z)), the slope of sigmoid at the pre-activation z.",
    inputs=arguments(z=arrays()),
    examples=(
        Example((np.array([0.0, LN3, -LN3]),), [0.25, 0.1875, 0.1875]),
        Example((EXTREMES,), [[0.0, 0.0], [0.0, 0.0]]),
    ),
    examples_title="sigmoid_derivative gives sigma(z) * (1 - sigma(z)) at z = 0, +-ln 3, +-1e4",
    reference_title="sigmoid_derivative agrees with the reference on generated inputs",
    mistakes=(
        Mistake(
            "sigmoid_derivative_of_z",
            "s * (1 - s) applied to z instead of to sigma(z)",
            "z * (1 - z) is sigmoid's slope only when its argument is already sigma(z). This "
            "function receives z: compute s = sigmoid(z) first, then s * (1 - s).",
            "z * (1 - z)",
        ),
        Mistake(
            "sigmoid_derivative_exp_overflow",
            "exp(-z) / (1 + exp(-z))**2, which is inf / inf = nan for very negative z",
            "The quotient-rule form is right on paper, but exp(-z) overflows for z below about "
            "-709. Reuse your stable sigmoid: s * (1 - s).",
            "np.exp(-z) / (1 + np.exp(-z)) ** 2",
        ),
    ),
    diagnostic=((np.array([[-2.0, 0.0, 3.0], [1e4, -1e4, 0.5]]),),),
)


def sigmoid_slope_bounded(ds: object, z: np.ndarray) -> None:
    """sigmoid_derivative stays finite and within [0, 1/4] for |z| up to 1e4"""
    hint = (
        "sigma(z) * (1 - sigma(z)) lies in [0, 1/4], largest at z = 0. Compute s = sigmoid(z) "
        "with your stable sigmoid, then s * (1 - s)."
    )
    expect_finite_within(ds, z, "sigmoid_derivative", 0.0, 0.25, hint)


sigmoid_derivative_bounded = Property(
    sigmoid_derivative, sigmoid_slope_bounded, called="finite_and_bounded"
)

# -- Q2: tanh and its derivative ------------------------------------------------------------------

tanh = Function(
    "tanh(z)",
    doc="Return (exp(z) - exp(-z)) / (exp(z) + exp(-z)) element-wise, finite for |z| up to 1e4.",
    inputs=arguments(z=arrays()),
    examples=(
        Example((np.array([0.0, LN2, -LN2]),), [0.0, 0.6, -0.6]),
        Example((EXTREMES,), [[1.0, -1.0], [1.0, -1.0]]),
    ),
    examples_title="tanh gives 0 at 0, +-0.6 at +-ln 2, and +-1 at +-800 and +-1e4",
    reference_title="tanh agrees with the reference on generated inputs up to |z| = 1e4",
    mistakes=(
        Mistake(
            "tanh_from_exponentials",
            "tanh computed from its definition, which is inf / inf = nan for |z| above 709",
            "(exp(z) - exp(-z)) / (exp(z) + exp(-z)) overflows for large |z|. Use np.tanh, "
            "which saturates to +-1, or 2 * sigmoid(2 * z) - 1 with your stable sigmoid.",
            "(np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))",
        ),
    ),
    diagnostic=((Z,),),
)


def tanh_bounded_by_one(t: object, z: np.ndarray) -> None:
    """tanh stays finite and within [-1, 1] for |z| up to 1e4"""
    hint = "np.exp overflows above about 709; np.tanh does not, and saturates to +-1."
    expect_finite_within(t, z, "tanh", -1.0, 1.0, hint)


tanh_bounded = Property(tanh, tanh_bounded_by_one, called="finite_and_bounded")

tanh_derivative = Function(
    "tanh_derivative(z)",
    doc="Return 1 - tanh(z)**2, the slope of tanh at the pre-activation z.",
    inputs=arguments(z=arrays()),
    examples=(
        Example((np.array([0.0, LN2, -LN2]),), [1.0, 0.64, 0.64]),
        Example((EXTREMES,), [[0.0, 0.0], [0.0, 0.0]]),
    ),
    examples_title="tanh_derivative gives 1 - tanh(z)**2 at z = 0, +-ln 2, +-800 and +-1e4",
    reference_title="tanh_derivative agrees with the reference on generated inputs",
    mistakes=(
        Mistake(
            "tanh_derivative_of_z",
            "1 - t**2 applied to z instead of to tanh(z)",
            "1 - a**2 is tanh's slope only when a is already tanh(z). This function receives z: "
            "compute t = tanh(z) first, then 1 - t**2.",
            "1 - z**2",
        ),
    ),
    diagnostic=((np.array([[-2.0, 0.0, 0.5], [1e4, -1e4, 3.0]]),),),
)


def tanh_slope_bounded(dt: object, z: np.ndarray) -> None:
    """tanh_derivative stays finite and within [0, 1] for |z| up to 1e4"""
    hint = "1 - tanh(z)**2 lies in [0, 1]: compute tanh(z) with np.tanh first."
    expect_finite_within(dt, z, "tanh_derivative", 0.0, 1.0, hint)


tanh_derivative_bounded = Property(tanh_derivative, tanh_slope_bounded, called="finite_and_bounded")

# -- Q5: softmax cross-entropy and its gradient ---------------------------------------------------


@st.composite
def logits_and_labels(draw: Draw, scale: float = 1e4) -> tuple[np.ndarray, np.ndarray]:
    """(logits, y): logits (N, C) of one dtype with entries up to `scale`, labels (N,) in [0, C)."""
    n, c = draw(st.integers(1, 6)), draw(st.integers(2, 6))
    dtype = draw(st.sampled_from(DTYPES))
    logits = draw(arrays(scale, shape=(n, c), dtypes=(dtype,)))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, c - 1)))
    return logits, y


BATCH = np.array([[0.0, 0.0], [0.0, LN3]])  # (2, 2): softmax rows [1/2, 1/2] and [1/4, 3/4]
LOGITS = np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 3.0, 1.0, 2.0], [-2.0, 0.5, 0.5, 1.5]])  # (3, 4)
LABELS = np.array([0, 3, 1])
OVERFLOWS = (np.array([[1000.0, 1001.0], [3.0, 1.0]]), np.array([0, 1]))  # exp(1000) is inf
UNDERFLOWS = (np.array([[0.0, -800.0], [2.0, 2.0]]), np.array([1, 0]))  # exp(-800) is 0

softmax_cross_entropy = Function(
    "softmax_cross_entropy(logits, y)",
    doc="Return the mean over the batch of -log softmax(logits)[i, y[i]], as a float.",
    # Float32 logits near 1e4 lose digits to rounding in any correct formula: the reference
    # comparison uses logits up to 30, and the worked examples and a property go to 1e4.
    inputs=logits_and_labels(30.0),
    returns="number",
    tolerance=Tolerance(atol32=1e-4),
    examples=(
        Example((np.array([[0.0, 0.0]]), np.array([1])), LN2),
        Example((BATCH, np.array([0, 1])), float(np.log(8.0 / 3.0)) / 2),  # (ln 2 + ln 4/3) / 2
        # Losses 2000 and 0: log-sum-exp is exact here, naive formulas give inf or nan.
        Example((np.array([[1000.0, 0.0, -1000.0], [1e4, -1e4, 0.0]]), np.array([2, 0])), 1000.0),
        Example((np.zeros((1, 4), dtype=np.float32), np.array([3])), float(np.log(4.0))),
    ),
    examples_title="softmax_cross_entropy gives the mean of -log p[i, y[i]] on worked batches, "
    "logits up to 1e4 included",
    reference_title="softmax_cross_entropy agrees with the reference on generated batches",
    mistakes=(
        Mistake(
            "cross_entropy_no_max_shift",
            "log-sum-exp without subtracting the row max (exp overflows)",
            "log(sum(exp(z))) overflows for logits above about 709. Subtract each row's max m "
            "first: log(sum(exp(z))) = m + log(sum(exp(z - m))).",
            """
            def softmax_cross_entropy(logits, y):
                rows = np.arange(len(y))
                log_sum_exp = np.log(np.sum(np.exp(logits), axis=1))
                return float(np.mean(log_sum_exp - logits[rows, y]))
            """,
        ),
        Mistake(
            "cross_entropy_log_of_softmax",
            "the log taken of the softmax probabilities (log(0) = -inf when one underflows)",
            "A probability like exp(-800) is 0 in floating point, and -log(0) is inf although "
            "the loss is 800. Compute log p directly: z - m - log(sum(exp(z - m))).",
            """
            def softmax_cross_entropy(logits, y):
                e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
                probs = e / np.sum(e, axis=1, keepdims=True)
                return float(-np.mean(np.log(probs[np.arange(len(y)), y])))
            """,
        ),
        Mistake(
            "cross_entropy_sum_not_mean",
            "the losses summed over the batch instead of averaged",
            "The loss is the mean over the N samples: divide the sum by N (or use np.mean).",
            """
            def softmax_cross_entropy(logits, y):
                m = np.max(logits, axis=1, keepdims=True)
                log_p = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
                return float(-np.sum(log_p[np.arange(len(y)), y]))
            """,
        ),
    ),
    diagnostic=((LOGITS, LABELS), OVERFLOWS, UNDERFLOWS),
)


def finite_for_large_logits(loss: object, logits: np.ndarray, y: np.ndarray) -> None:
    """softmax_cross_entropy stays finite for logits as large as 1e4"""
    if isinstance(loss, (int, float, np.ndarray)) and not np.all(np.isfinite(loss)):
        raise Fail(
            f"softmax_cross_entropy(logits, y) returned {show(loss)}, which is not finite; "
            f"with these logits every -log p[i, y[i]] is finite",
            hint="Use log-sum-exp: log p = z - m - log(sum(exp(z - m))) with m the row's max. "
            "Neither exp(z) (overflow) nor log(softmax) (log of an underflowed 0) is safe.",
        )


cross_entropy_finite = Property(
    softmax_cross_entropy,
    finite_for_large_logits,
    cases=(
        OVERFLOWS,
        UNDERFLOWS,
        (np.array([[1e4, -1e4, 0.0]]), np.array([1])),
        (np.array([[800.0, -800.0]], dtype=np.float32), np.array([1])),
    ),
)

softmax_cross_entropy_grad = Function(
    "softmax_cross_entropy_grad(logits, y)",
    doc="Return dL/dlogits = (softmax(logits) - onehot(y)) / N, shape (N, C).",
    inputs=logits_and_labels(),
    examples=(
        Example((np.array([[0.0, LN3]]), np.array([1])), [[0.25, -0.25]]),
        Example((BATCH, np.array([0, 1])), [[-0.25, 0.25], [0.125, -0.125]]),
        Example(
            (np.array([[1000.0, 0.0, -1000.0], [0.0, -800.0, 800.0]]), np.array([2, 2])),
            [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]],
        ),
    ),
    examples_title="softmax_cross_entropy_grad gives (p - onehot(y)) / N on worked batches, "
    "logits up to 1000 included",
    reference_title="softmax_cross_entropy_grad agrees with the reference on generated batches "
    "up to |logit| = 1e4",
    mistakes=(
        Mistake(
            "cross_entropy_grad_not_divided_by_n",
            "the gradient not divided by N",
            "The loss is a mean over N samples, so its gradient is (p - onehot(y)) / N.",
            """
            def softmax_cross_entropy_grad(logits, y):
                e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
                grad = e / np.sum(e, axis=1, keepdims=True)
                grad[np.arange(len(y)), y] -= 1
                return grad
            """,
        ),
        Mistake(
            "cross_entropy_grad_no_one_hot",
            "the one-hot target not subtracted",
            "dL/dz is softmax(z) minus the one-hot target: subtract 1 at [i, y[i]] in each row.",
            """
            def softmax_cross_entropy_grad(logits, y):
                e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
                return e / np.sum(e, axis=1, keepdims=True) / len(y)
            """,
        ),
        Mistake(
            "cross_entropy_grad_no_max_shift",
            "softmax without subtracting the row max (exp overflows)",
            "exp(z) overflows for logits above about 709, and inf / inf is nan. Subtract each "
            "row's max before np.exp: softmax does not change.",
            """
            def softmax_cross_entropy_grad(logits, y):
                grad = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
                grad[np.arange(len(y)), y] -= 1
                return grad / len(y)
            """,
        ),
    ),
    diagnostic=(
        (LOGITS, LABELS),
        (np.array([[1000.0, 1001.0, 0.0], [5.0, -3.0, 800.0]]), np.array([2, 0])),
    ),
)


def rows_sum_to_zero(grad: object, logits: np.ndarray, y: np.ndarray) -> None:
    """each row of the gradient sums to 0: probabilities minus a one-hot target"""
    got = as_array(grad, "softmax_cross_entropy_grad")
    if got.shape != logits.shape:
        raise Fail(f"softmax_cross_entropy_grad returned shape {got.shape}; it should have the "
                   f"logits' shape {logits.shape}")  # fmt: skip
    with np.errstate(invalid="ignore"):
        sums = got.astype(np.float64).sum(axis=1)  # (N,)
    bad = ~(np.abs(sums) <= 1e-5)  # nan counts as bad
    if bad.any():
        row = int(np.argmax(bad))
        n = len(y)
        hint = "Each row is softmax(z_i) (summing to 1) minus the one-hot of y[i] (summing to 1)."
        mistake = ""
        if np.isclose(sums[row], 1.0 / n):
            hint, mistake = "Subtract the one-hot target.", "cross_entropy_grad_no_one_hot"
        raise Fail(f"row {row} of the gradient sums to {sums[row]:.6g}; every row should sum to 0",
                   hint=hint, mistake=mistake)  # fmt: skip


cross_entropy_grad_rows = Property(softmax_cross_entropy_grad, rows_sum_to_zero)

# -- Q6: batch norm's forward pass -----------------------------------------------------------------


def quarters(limit: float) -> Deferred:
    """Multiples of 1/4 in [-limit, limit]: exact in float32, so no two distinct values are
    close enough for float32 rounding to swamp their variance."""
    return st.integers(int(-4 * limit), int(4 * limit)).map(lambda k: k / 4)


@st.composite
def batchnorm_inputs(draw: Draw) -> tuple:
    """(x, gamma, beta, running_mean, running_var, training, eps) for N in 2..6, D in 1..5."""
    n, d = draw(st.integers(2, 6)), draw(st.integers(1, 5))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    x = draw(hnp.arrays(dtype, (n, d), elements=quarters(10)))
    gamma, beta, running_mean = (
        draw(hnp.arrays(dtype, d, elements=quarters(limit))) for limit in (3, 3, 10)
    )
    running_var = draw(hnp.arrays(dtype, d, elements=st.integers(1, 40).map(lambda k: k / 4)))
    training = draw(st.booleans())
    eps = draw(one_of_values(1e-5, 1e-3))
    return x, gamma, beta, running_mean, running_var, training, eps


# (4, 3): column 0 has mean 1 and biased variance 1 (unbiased 4/3), column 1 is constant,
# column 2 has mean 1 and variance 2.
X = np.array([[0.0, 5.0, 1.0], [0.0, 5.0, -1.0], [2.0, 5.0, 3.0], [2.0, 5.0, 1.0]])
GAMMA = np.array([2.0, 3.0, 0.5])
BETA = np.array([0.5, -1.0, 0.0])
RUNNING_MEAN = np.array([1.0, 4.0, 0.0])
RUNNING_VAR = np.array([4.0, 0.25, 1.0])
S = 1 / np.sqrt(1 + 1e-5)  # the scale of a unit-variance column with eps = 1e-5
STATS = (GAMMA, BETA, RUNNING_MEAN, RUNNING_VAR)

batchnorm_forward = Function(
    "batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps)",
    doc="Return gamma * (x - mu) / sqrt(var + eps) + beta, with batch or running statistics.",
    inputs=batchnorm_inputs(),
    tolerance=Tolerance(atol32=1e-5),
    examples=(
        Example(  # training: column 0 is standardised, the constant column 1 becomes beta
            (X[:, :2], GAMMA[:2], BETA[:2], RUNNING_MEAN[:2], RUNNING_VAR[:2], True, 1e-5),
            [[0.5 - 2 * S, -1.0], [0.5 - 2 * S, -1.0], [0.5 + 2 * S, -1.0], [0.5 + 2 * S, -1.0]],
        ),
        Example(  # evaluation: (x - [1, 4]) / [2, 0.5], then scaled by [2, 3] and shifted
            (X[:, :2], GAMMA[:2], BETA[:2], RUNNING_MEAN[:2], RUNNING_VAR[:2], False, 0.0),
            [[-0.5, 5.0], [-0.5, 5.0], [1.5, 5.0], [1.5, 5.0]],
        ),
    ),
    examples_title="batchnorm_forward normalises with the batch's statistics in training and "
    "the running ones in evaluation, on worked examples",
    reference_title="batchnorm_forward agrees with the reference on generated batches, in both "
    "modes",
    mistakes=(
        Mistake(
            "batchnorm_unbiased_variance",
            "the batch normalised with the unbiased variance (divided by N - 1)",
            "Normalising a batch uses the biased variance, divided by N: x.var(axis=0) (NumPy's "
            "default). torch.var divides by N - 1 unless unbiased=False.",
            """
            def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
                if training:
                    mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
                else:
                    mu, var = running_mean, running_var
                return gamma * (x - mu) / np.sqrt(var + eps) + beta
            """,
        ),
        Mistake(
            "batchnorm_eval_uses_batch_stats",
            "batch statistics used at evaluation time (training ignored)",
            "When training is False, normalise with running_mean and running_var: a sample's "
            "output must not depend on the rest of its batch.",
            """
            def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
                mu, var = x.mean(axis=0), x.var(axis=0)
                return gamma * (x - mu) / np.sqrt(var + eps) + beta
            """,
        ),
        Mistake(
            "batchnorm_no_eps",
            "eps left out of the square root",
            "Divide by sqrt(var + eps): a feature that is constant over the batch has variance "
            "0, and 0 / 0 is nan.",
            """
            def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
                if training:
                    mu, var = x.mean(axis=0), x.var(axis=0)
                else:
                    mu, var = running_mean, running_var
                return gamma * (x - mu) / np.sqrt(var) + beta
            """,
        ),
        Mistake(
            "batchnorm_normalises_rows",
            "each sample (row) normalised instead of each feature (column): layer norm",
            "Batch norm takes each feature's statistics over the batch: mean and variance "
            "along axis=0, giving one value per column.",
            """
            def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
                if training:
                    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
                else:
                    mu, var = running_mean, running_var
                return gamma * (x - mu) / np.sqrt(var + eps) + beta
            """,
        ),
    ),
    diagnostic=((X, *STATS, True, 1e-5), (X, *STATS, False, 0.1)),
)


def standardises_each_feature(
    out: object, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
    running_var: np.ndarray, training: bool, eps: float,
) -> None:  # fmt: skip
    """in training, each output feature has mean beta and standard deviation |gamma|"""
    got = as_array(out, "batchnorm_forward").astype(np.float64)
    if got.shape != x.shape:
        raise Fail(f"batchnorm_forward returned shape {got.shape}; it should keep x's shape "
                   f"{x.shape}")  # fmt: skip
    with np.errstate(invalid="ignore"):
        mean, std = got.mean(axis=0), got.std(axis=0)  # (D,), (D,)
    ratio = std / np.abs(gamma)  # 1 for every feature when the batch variance divides by N
    if np.allclose(mean, beta, atol=1e-4) and np.allclose(ratio, 1.0, rtol=1e-3):
        return
    n = len(x)
    mistake = ""
    hint = "Per column: subtract x.mean(axis=0), divide by sqrt(x.var(axis=0) + eps)."
    if np.allclose(ratio**2, (n - 1) / n, rtol=1e-3):
        mistake = "batchnorm_unbiased_variance"
        hint = (f"The variance comes out {n - 1}/{n} of gamma**2: the batch was divided by "
                "the unbiased variance (N - 1). Use x.var(axis=0).")  # fmt: skip
    raise Fail(
        f"in training, the output's columns have means {show(mean)} and standard deviations "
        f"{show(std)}; they should be beta = {show(beta)} and |gamma| = {show(np.abs(gamma))}",
        hint=hint,
        mistake=mistake,
    )


batchnorm_standardises = Property(
    batchnorm_forward,
    standardises_each_feature,
    cases=((X[:, [0, 2]], GAMMA[[0, 2]], BETA[[0, 2]], RUNNING_MEAN[[0, 2]],
            RUNNING_VAR[[0, 2]], True, 1e-5),),
)  # fmt: skip


def independent_of_the_batch(outs: list[object], cases: tuple[tuple, ...]) -> None:
    """in evaluation, a sample's output does not depend on the rest of its batch"""
    whole, alone = (as_array(o, "batchnorm_forward").astype(np.float64) for o in outs)
    batch = cases[0][0]
    if whole.shape != batch.shape or alone.shape != batch[:1].shape:
        raise Fail(f"batchnorm_forward returned shapes {whole.shape} and {alone.shape} for "
                   f"batches of shape {batch.shape} and {batch[:1].shape}")  # fmt: skip
    if np.allclose(whole[:1], alone, atol=1e-6):
        return
    raise Fail(
        f"with training=False, the first sample of a batch of {len(batch)} came out as "
        f"{show(whole[:1])}, and alone (a batch of 1) as {show(alone)}",
        hint="At evaluation time normalise with running_mean and running_var, not with the "
        "batch's own statistics.",
        mistake="batchnorm_eval_uses_batch_stats",
    )


batchnorm_batch_independent = Property(
    batchnorm_forward,
    independent_of_the_batch,
    cases=((X, *STATS, False, 1e-5), (X[:1], *STATS, False, 1e-5)),
    joint=True,
    called="eval_independent_of_batch",
)

# -- Q7: batch norm's running statistics ---------------------------------------------------------


@st.composite
def running_stats_inputs(draw: Draw) -> tuple:
    """(x, running_mean, running_var, momentum) for N in 2..6, D in 1..5."""
    n, d = draw(st.integers(2, 6)), draw(st.integers(1, 5))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    x = draw(hnp.arrays(dtype, (n, d), elements=quarters(10)))
    running_mean = draw(hnp.arrays(dtype, d, elements=quarters(10)))
    running_var = draw(hnp.arrays(dtype, d, elements=st.integers(1, 40).map(lambda k: k / 4)))
    return x, running_mean, running_var, draw(one_of_values(0.1, 0.01, 0.5))


batchnorm_running_stats = Function(
    "batchnorm_running_stats(x, running_mean, running_var, momentum)",
    doc="Return [new running mean, new running variance] as one (2, D) array.",
    inputs=running_stats_inputs(),
    tolerance=Tolerance(atol32=1e-5),
    examples=(
        # batch mean [1, 5], unbiased variance [4/3, 0]: 0.9 * running + 0.1 * batch
        Example((X[:, :2], np.zeros(2), np.ones(2), 0.1), [[0.1, 0.5], [0.9 + 0.4 / 3, 0.9]]),
        Example(
            (X[:, :2], np.array([1.0, 5.0]), np.array([4.0, 1.0]), 0.5),
            [[1.0, 5.0], [8.0 / 3.0, 0.5]],
        ),
    ),
    examples_title="batchnorm_running_stats moves the running mean and variance a fraction "
    "momentum towards the batch's, on worked examples",
    reference_title="batchnorm_running_stats agrees with the reference on generated batches",
    mistakes=(
        Mistake(
            "running_stats_cs231n_convention",
            "cs231n's update: momentum weighting the old value, and the biased batch variance",
            "Two changes from cs231n's code: new = (1 - momentum) * running + momentum * batch "
            "(momentum 0.1 is the new batch's weight), and the unbiased variance "
            "x.var(axis=0, ddof=1) for the running variance.",
            """
            def batchnorm_running_stats(x, running_mean, running_var, momentum):
                mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
                var = momentum * running_var + (1 - momentum) * x.var(axis=0)
                return np.stack([mean, var])
            """,
        ),
        Mistake(
            "running_stats_momentum_reversed",
            "momentum weighting the old running value instead of the new batch",
            "Here momentum is PyTorch's: new = (1 - momentum) * running + momentum * batch, so "
            "with momentum = 0.1 the running value moves 10% of the way. Some courses (cs231n) "
            "write momentum * running + (1 - momentum) * batch with momentum = 0.9 instead.",
            """
            def batchnorm_running_stats(x, running_mean, running_var, momentum):
                mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
                var = momentum * running_var + (1 - momentum) * x.var(axis=0, ddof=1)
                return np.stack([mean, var])
            """,
        ),
        Mistake(
            "running_stats_biased_variance",
            "the running variance fed with the biased batch variance (divided by N)",
            "PyTorch's running_var tracks the unbiased estimate, divided by N - 1: "
            "x.var(axis=0, ddof=1). Only the normalisation of a batch divides by N.",
            """
            def batchnorm_running_stats(x, running_mean, running_var, momentum):
                mean = (1 - momentum) * running_mean + momentum * x.mean(axis=0)
                var = (1 - momentum) * running_var + momentum * x.var(axis=0)
                return np.stack([mean, var])
            """,
        ),
    ),
    diagnostic=((X, RUNNING_MEAN, RUNNING_VAR, 0.1),),
    starter="running_stats_cs231n_convention",
)


def two_rows(stats: object, x: np.ndarray, running_mean: np.ndarray, running_var: np.ndarray,
             momentum: float) -> None:  # fmt: skip
    """batchnorm_running_stats returns one (2, D) array: the new mean, then the new variance"""
    expected = (2, x.shape[1])
    if isinstance(stats, (list, tuple)):
        raise Fail(
            f"batchnorm_running_stats returned a {type(stats).__name__} of {len(stats)} items; "
            f"it should return one array of shape {expected}",
            hint="Stack the two rows: np.stack([new_mean, new_var]).",
        )
    got = as_array(stats, "batchnorm_running_stats")
    if got.shape != expected:
        raise Fail(f"batchnorm_running_stats returned shape {got.shape} for x of shape {x.shape}; "
                   f"expected (2, D) = {expected}")  # fmt: skip


running_stats_shape = Property(
    batchnorm_running_stats,
    two_rows,
    cases=((X, RUNNING_MEAN, RUNNING_VAR, 0.1),),
    called="shape",
)

# -- Q9: an SGD step with weight decay ---------------------------------------------------------


@st.composite
def step_inputs(draw: Draw) -> tuple:
    """(w, grad, lr, weight_decay): two arrays of one shape and dtype, then two rates."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=6))
    dtype = draw(st.sampled_from(DTYPES))
    w, grad = (draw(arrays(30.0, shape=shape, dtypes=(dtype,))) for _ in range(2))
    return w, grad, draw(one_of_values(0.1, 0.01, 0.5)), draw(one_of_values(0.01, 0.0, 1e-4, 0.1))


W = np.array([[1.0, -2.0], [0.5, 0.0]])
GRAD = np.array([[0.1, 0.2], [-0.3, 0.4]])

sgd_weight_decay_step = Function(
    "sgd_weight_decay_step(w, grad, lr, weight_decay)",
    doc="Return w - lr * (grad + weight_decay * w).",
    inputs=step_inputs(),
    examples=(
        Example((W, GRAD, 0.1, 0.01), [[0.989, -2.018], [0.5295, -0.04]]),
        Example((np.array([2.0]), np.array([0.0]), 0.5, 0.1), [1.9]),  # decay alone: 2 * 0.95
    ),
    examples_title="sgd_weight_decay_step gives w - lr * (grad + weight_decay * w) on worked "
    "examples",
    reference_title="sgd_weight_decay_step agrees with the reference on generated weights and "
    "rates",
    mistakes=(
        Mistake(
            "weight_decay_sign_flipped",
            "weight decay added with the wrong sign (the weights grow)",
            "The penalty's gradient weight_decay * w is added to grad, and the step subtracts "
            "both: w - lr * (grad + weight_decay * w).",
            "w - lr * (grad - weight_decay * w)",
        ),
        Mistake(
            "weight_decay_not_scaled_by_lr",
            "the decay term not multiplied by the learning rate",
            "weight_decay * w is part of the gradient, so the learning rate scales it too: "
            "each step removes lr * weight_decay * w, not weight_decay * w.",
            "w - lr * grad - weight_decay * w",
        ),
        Mistake(
            "weight_decay_doubled",
            "2 * weight_decay * w used as the penalty's gradient",
            "The penalty is (weight_decay / 2) * ||w||^2, whose gradient is weight_decay * w: "
            "the 1/2 cancels the 2.",
            "w - lr * (grad + 2 * weight_decay * w)",
        ),
        Mistake(
            "weight_decay_lr_twice",
            "the decay term multiplied by the learning rate twice",
            "Scale the whole gradient by lr once: w - lr * (grad + weight_decay * w).",
            "w - lr * grad - lr * lr * weight_decay * w",
        ),
    ),
    diagnostic=((W, GRAD, 0.1, 0.01),),
)


def shrinks_weights(new_w: object, w: np.ndarray, grad: np.ndarray, lr: float,
                    weight_decay: float) -> None:  # fmt: skip
    """with a zero gradient, a step shrinks every weight towards 0"""
    got = as_array(new_w, "sgd_weight_decay_step").astype(np.float64)
    if got.shape != w.shape:
        raise Fail(f"sgd_weight_decay_step returned shape {got.shape}; it should keep w's "
                   f"shape {w.shape}")  # fmt: skip
    if np.all(np.abs(got) < np.abs(w)) and np.all(np.sign(got) == np.sign(w)):
        return
    grown = bool(np.any(np.abs(got) > np.abs(w)))
    raise Fail(
        f"with grad = 0, lr = {lr} and weight_decay = {weight_decay}, the weights {show(w)} "
        f"became {show(got)}; decay should shrink each one by the factor 1 - lr * weight_decay "
        f"= {1 - lr * weight_decay:g}",
        mistake="weight_decay_sign_flipped" if grown else "",
    )


sgd_step_shrinks = Property(
    sgd_weight_decay_step,
    shrinks_weights,
    cases=((np.array([[1.0, -2.0, 0.5]]), np.zeros((1, 3)), 0.1, 0.1),),
    called="decay_shrinks_weights",
)
