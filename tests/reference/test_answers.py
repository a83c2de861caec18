"""The answers to the non-code questions, re-derived where a computation can check them."""

import numpy as np
import pytest

from reference import answers
from reference.regularization import l2_grad

LETTER_QUESTIONS = ["Q4_ANSWER", "Q7_ANSWER", "Q8_ANSWER", "Q11_ANSWER"]


def test_q1_by_an_explicit_forward_pass():
    x = np.array([[1.0, -1.0]])  # (1, 2): one sample per row
    W1 = np.array([[2.0, 0.0], [0.0, 2.0]])  # (hidden=2, in=2)
    b1 = np.zeros(2)
    W2 = np.array([[1.0, 1.0]])  # (out=1, hidden=2)
    b2 = np.zeros(1)
    z1 = x @ W1.T + b1  # (1, 2) = [[2, -2]]
    a1 = np.maximum(z1, 0)  # (1, 2) = [[2, 0]]
    z2 = a1 @ W2.T + b2  # (1, 1), linear output
    assert answers.Q1_ANSWER == pytest.approx(z2.item())
    assert answers.Q1_ANSWER == 2.0


def test_q4_sigmoid_is_in_open_unit_interval_and_need_not_sum_to_one():
    z = np.random.default_rng(0).normal(scale=5, size=(1000, 3))
    s = 1 / (1 + np.exp(-z))
    assert np.all((s > 0) & (s < 1))
    assert np.sum(1 / (1 + np.exp(-np.zeros(3)))) == 1.5  # three outputs of 0.5, not 1 in total
    assert answers.Q4_ANSWER == "B"


def test_q8_large_step_diverges_and_tiny_step_barely_moves():
    # Plain gradient descent on L(w) = w^2 (gradient 2w) from w = 1, for 100 steps.
    def final_loss(lr):
        w = 1.0
        for _ in range(100):
            w -= lr * 2 * w
        return w**2

    assert final_loss(10.0) > 1e100  # |1 - 20| = 19 > 1: each step overshoots and grows
    assert final_loss(1e-4) > 0.95  # (1 - 2e-4)^200 is about 0.96: almost no progress
    assert answers.Q8_ANSWER == "C"


def test_q12_by_one_sgd_step_with_zero_loss_gradient():
    lr = lam = 0.01
    w = 1.0
    w_new = w - lr * l2_grad(0.0, w, lam)
    assert answers.Q12_ANSWER == pytest.approx(w_new, rel=1e-12)
    assert answers.Q12_ANSWER == pytest.approx(0.9999, rel=1e-12)


def test_q12_factor_applies_to_every_weight():
    lr = lam = 0.01
    w = np.random.default_rng(0).normal(size=(3, 4))
    w_new = w - lr * l2_grad(np.zeros_like(w), w, lam)
    np.testing.assert_allclose(w_new, answers.Q12_ANSWER * w, rtol=1e-12)


@pytest.mark.parametrize("name", LETTER_QUESTIONS)
def test_letter_answers_are_single_capitals(name):
    value = getattr(answers, name)
    assert isinstance(value, str)
    assert value in {"A", "B", "C", "D"}


def test_letter_answers():
    assert (answers.Q7_ANSWER, answers.Q11_ANSWER) == ("D", "A")


@pytest.mark.parametrize("name", ["Q7_EXPLANATION", "Q11_EXPLANATION"])
def test_explanations_are_short_text(name):
    text = getattr(answers, name)
    assert isinstance(text, str)
    assert 1 <= text.count(".") <= 2, "one or two sentences"
