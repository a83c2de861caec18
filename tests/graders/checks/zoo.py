"""Wrong self-check submissions, each named for its bug: (misconception id, question, code).

Each entry's code replaces one function or answer of the reference, written the
way a student would get it wrong (not copied from graders/misconceptions).
"""

from __future__ import annotations

ZOO: list[tuple[str, str, str]] = [
    ("q1_no_relu", "q1", "Q1_ANSWER = 0"),
    ("q1_relu_keeps_negative", "q1", "Q1_ANSWER = -2.0"),
    ("q1_abs_instead_of_relu", "q1", "Q1_ANSWER = 4"),
    (
        "relu_minimum",
        "q2",
        """
        def relu(z):
            return np.minimum(z, 0)
        """,
    ),
    (
        "relu_abs",
        "q2",
        """
        def relu(z):
            return np.abs(z)
        """,
    ),
    (
        "relu_backward_passes_at_zero",
        "q2",
        """
        def relu_backward(dout, z):
            return dout * (z >= 0)
        """,
    ),
    (
        "relu_backward_ignores_dout",
        "q2",
        """
        def relu_backward(dout, z):
            return (z > 0).astype(float)
        """,
    ),
    (
        "relu_backward_masks_dout",
        "q2",
        """
        def relu_backward(dout, z):
            return np.where(dout > 0, dout, 0.0)
        """,
    ),
    (
        "relu_backward_returns_relu",
        "q2",
        """
        def relu_backward(dout, z):
            return np.maximum(z, 0)
        """,
    ),
    (
        "softmax_no_max_shift",
        "q3",
        """
        def softmax(z):
            e = np.exp(z)
            return e / np.sum(e, axis=-1, keepdims=True)
        """,
    ),
    (
        "softmax_wrong_axis",
        "q3",
        """
        def softmax(z):
            e = np.exp(z - np.max(z, axis=0, keepdims=True))
            return e / np.sum(e, axis=0, keepdims=True)
        """,
    ),
    (
        "softmax_not_normalised",
        "q3",
        """
        def softmax(z):
            return np.exp(z - z.max(axis=-1, keepdims=True))
        """,
    ),
    (
        "softmax_global_max_shift",
        "q3",
        """
        def softmax(z):
            e = np.exp(z - np.max(z))
            return e / e.sum(axis=-1, keepdims=True)
        """,
    ),
    (
        "softmax_no_keepdims",
        "q3",
        """
        def softmax(z):
            e = np.exp(z - np.max(z, axis=-1))
            return e / np.sum(e, axis=-1)
        """,
    ),
    ("q4_sigmoid_is_softmax", "q4", 'Q4_ANSWER = "A"'),
    ("q4_sigmoid_is_tanh", "q4", 'Q4_ANSWER = "c"'),
    ("q4_sigmoid_is_relu", "q4", 'Q4_ANSWER = " D "'),
    (
        "mse_sum_not_mean",
        "q5",
        """
        def mse(y_pred, y_true):
            return float(np.sum((y_pred - y_true) ** 2))
        """,
    ),
    (
        "mse_no_square",
        "q5",
        """
        def mse(y_pred, y_true):
            return float(np.mean(y_pred - y_true))
        """,
    ),
    (
        "mse_root",
        "q5",
        """
        def mse(y_pred, y_true):
            return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))
        """,
    ),
    (
        "mse_grad_missing_two",
        "q5",
        """
        def mse_grad(y_pred, y_true):
            return (y_pred - y_true) / y_pred.size
        """,
    ),
    (
        "mse_grad_divides_by_rows",
        "q5",
        """
        def mse_grad(y_pred, y_true):
            return 2 * (y_pred - y_true) / y_pred.shape[0]
        """,
    ),
    (
        "mse_grad_sign_flipped",
        "q5",
        """
        def mse_grad(y_pred, y_true):
            return 2 * (y_true - y_pred) / y_pred.size
        """,
    ),
    (
        "mse_grad_not_divided",
        "q5",
        """
        def mse_grad(y_pred, y_true):
            return 2 * (y_pred - y_true)
        """,
    ),
    (
        "backprop_uses_w1",
        "q6",
        """
        def backprop_delta1(delta2, W1, W2, z1):
            return (delta2 @ W1) * (z1 > 0)
        """,
    ),
    (
        "backprop_wrong_transpose",
        "q6",
        """
        def backprop_delta1(delta2, W1, W2, z1):
            return (delta2 @ W2.T) * (z1 > 0)
        """,
    ),
    (
        "backprop_missing_mask",
        "q6",
        """
        def backprop_delta1(delta2, W1, W2, z1):
            return delta2 @ W2
        """,
    ),
    (
        "backprop_mask_is_activation",
        "q6",
        """
        def backprop_delta1(delta2, W1, W2, z1):
            return (delta2 @ W2) * np.maximum(0, z1)
        """,
    ),
    (
        "backprop_mask_at_zero",
        "q6",
        """
        def backprop_delta1(delta2, W1, W2, z1):
            return (delta2 @ W2) * (z1 >= 0)
        """,
    ),
    ("q7_layers_independent", "q7", 'Q7_ANSWER = "A"'),
    ("q7_finite_differences", "q7", 'Q7_ANSWER = "C"'),
    ("q8_lr_reversed", "q8", 'Q8_ANSWER = "D"'),
    ("q8_bigger_is_better", "q8", 'Q8_ANSWER = "b"'),
    (
        "one_hot_off_by_one",
        "q9",
        """
        def one_hot(y, n_classes):
            out = np.zeros((len(y), n_classes))
            out[np.arange(len(y)), y - 1] = 1.0
            return out
        """,
    ),
    (
        "one_hot_off_by_one_up",
        "q9",
        """
        def one_hot(y, n_classes):
            return np.eye(n_classes + 1)[y + 1][:, :n_classes]
        """,
    ),
    (
        "one_hot_sized_from_labels",
        "q9",
        """
        def one_hot(y, n_classes):
            out = np.zeros((len(y), y.max() + 1))
            out[np.arange(len(y)), y] = 1.0
            return out
        """,
    ),
    (
        "one_hot_transposed",
        "q9",
        """
        def one_hot(y, n_classes):
            return np.eye(n_classes)[y].T
        """,
    ),
    (
        "dropout_ignores_training",
        "q10",
        """
        def dropout(x, p, training, rng):
            mask = rng.random(x.shape) >= p
            return x * mask / (1 - p)
        """,
    ),
    (
        "dropout_no_scaling",
        "q10",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            return x * (rng.random(x.shape) >= p)
        """,
    ),
    (
        "dropout_p_is_keep",
        "q10",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            mask = rng.random(x.shape) < p
            return x * mask / p
        """,
    ),
    (
        "dropout_scales_by_keep",
        "q10",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            return x * (rng.random(x.shape) >= p) * (1 - p)
        """,
    ),
    (
        "dropout_global_rng",
        "q10",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            return x * (np.random.random(x.shape) >= p) / (1 - p)
        """,
    ),
    (
        "dropout_scales_at_eval",
        "q10",
        """
        def dropout(x, p, training, rng):
            if training:
                return x * (rng.random(x.shape) > p)
            return x * (1.0 - p)
        """,
    ),
    (
        "dropout_ignores_x",
        "q10",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            keep = rng.random(x.shape) >= p
            return keep.astype(x.dtype) / (1 - p)
        """,
    ),
    (
        "dropout_scales_by_p",
        "q10",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            mask = (rng.random(x.shape) >= p) / p
            return x * mask
        """,
    ),
    ("q11_exploration", "q11", 'Q11_ANSWER = "C"'),
    ("q11_replaces_replay", "q11", 'Q11_ANSWER = "D"'),
    (
        "l2_grad_two_lambda",
        "q12",
        """
        def l2_grad(grad, w, lam):
            return grad + 2 * lam * w
        """,
    ),
    (
        "l2_grad_penalty_not_gradient",
        "q12",
        """
        def l2_grad(grad, w, lam):
            return grad + lam * w ** 2
        """,
    ),
    (
        "l2_grad_sign_flipped",
        "q12",
        """
        def l2_grad(grad, w, lam):
            return grad - lam * w
        """,
    ),
    (
        "l2_grad_ignores_grad",
        "q12",
        """
        def l2_grad(grad, w, lam):
            return lam * w
        """,
    ),
    ("q12_penalty_without_half", "q12", "Q12_ANSWER = 1 - 2 * 0.01 * 0.01"),
    ("q12_sign_flipped", "q12", "Q12_ANSWER = 1.0001"),
    ("q12_amount_not_factor", "q12", "Q12_ANSWER = 0.01 * 0.01"),
    ("q12_only_lambda", "q12", "Q12_ANSWER = 0.99"),
]

# Correct alternatives: each must keep full marks.
ALTERNATIVES: list[tuple[str, str]] = [
    (
        "relu_np_where",
        """
        def relu(z):
            return np.where(z > 0, z, 0.0)

        def relu_backward(dout, z):
            return dout * (z > 0)
        """,
    ),
    (
        "relu_mask_multiply_float32_safe",
        """
        def relu(z):
            return z * (z > 0)
        """,
    ),
    (
        "softmax_log_sum_exp",
        """
        def softmax(z):
            m = np.max(z, axis=-1, keepdims=True)
            log_norm = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
            return np.exp(z - log_norm)
        """,
    ),
    (
        "softmax_axis_minus_one_loop_free_float32",
        """
        def softmax(z):
            z = np.asarray(z, dtype=np.float32)
            e = np.exp(z - z.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        """,
    ),
    (
        "mse_manual_mean_and_numpy_scalar",
        """
        def mse(y_pred, y_true):
            d = y_pred - y_true
            return np.sum(d * d) / d.size

        def mse_grad(y_pred, y_true):
            return 2.0 / y_pred.size * (y_pred - y_true)
        """,
    ),
    (
        "one_hot_np_eye",
        """
        def one_hot(y, n_classes):
            return np.eye(n_classes)[y]
        """,
    ),
    (
        "dropout_binomial_mask",
        """
        def dropout(x, p, training, rng):
            if not training:
                return x
            mask = rng.binomial(1, 1 - p, size=x.shape)
            return x * mask / (1 - p)
        """,
    ),
    (
        "backprop_einsum",
        """
        def backprop_delta1(delta2, W1, W2, z1):
            return np.einsum("no,oh->nh", delta2, W2) * (z1 > 0)
        """,
    ),
    (
        "answers_lowercase_and_expressions",
        """
        Q4_ANSWER = "b"
        Q7_ANSWER = " d"
        Q12_ANSWER = 1 - 0.01 * 0.01
        Q1_ANSWER = np.float64(2)
        """,
    ),
    (
        "l2_grad_in_place_copy",
        """
        def l2_grad(grad, w, lam):
            out = grad.copy()
            out += lam * w
            return out
        """,
    ),
]
