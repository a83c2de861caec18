"""The reference solutions packaged as a student submission to the self-check."""

# The grader imports this file in a child process with this folder on sys.path, so the
# sibling modules are imported as top-level modules (not as reference.activations).
from activations import relu, relu_backward, softmax
from answers import (
    Q1_ANSWER,
    Q4_ANSWER,
    Q7_ANSWER,
    Q7_EXPLANATION,
    Q8_ANSWER,
    Q11_ANSWER,
    Q11_EXPLANATION,
    Q12_ANSWER,
)
from backprop import backprop_delta1
from encoding import one_hot
from losses import mse, mse_grad
from regularization import dropout, l2_grad

__all__ = [
    "Q1_ANSWER",
    "Q4_ANSWER",
    "Q7_ANSWER",
    "Q7_EXPLANATION",
    "Q8_ANSWER",
    "Q11_ANSWER",
    "Q11_EXPLANATION",
    "Q12_ANSWER",
    "backprop_delta1",
    "dropout",
    "l2_grad",
    "mse",
    "mse_grad",
    "one_hot",
    "relu",
    "relu_backward",
    "softmax",
]
