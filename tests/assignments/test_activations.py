"""The activations assignment against wrong code found in public repositories.

Each snippet below keeps the bug of a real implementation (its repository and path are in
the comment above it), rewritten with this assignment's signature. Graded in a sandbox,
each must lose exactly the question of its function and be named for its mistake; correct
implementations written differently from the reference keep every point.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from graders.authoring import named, question_of
from graders.grading import grade
from graders.spec import load_spec
from graders.submission import load_submission
from graders.verdict import Report

SPEC = load_spec("activations")
REFERENCE = SPEC.reference_path

MINED = [
    # Guney-olu/NeuroFlow NeuroEngine/activations.py (also raychungno1/CSE5526
    # Lab1/activation.py): sigmoid's slope written for its output, called on its input.
    pytest.param(
        """
        def sigmoid_derivative(z):
            return z * (1 - z)
        """,
        "sigmoid_derivative_of_z",
        id="sigmoid-derivative-on-z",
    ),
    # secezar/Neural_Network src/activations.py: `1 / 1 + exp(-x)`, brackets missing.
    pytest.param(
        """
        from numpy import exp

        def sigmoid(z):
            return 1 / 1 + exp(-z)
        """,
        "sigmoid_missing_brackets",
        id="sigmoid-precedence",
    ),
    # omaraflak/python-neural-networks activation/sigmoid.py: the quotient-rule slope,
    # inf / inf for very negative inputs.
    pytest.param(
        """
        def sigmoid_derivative(z):
            e = np.exp(-z)
            return e / (1 + e) ** 2
        """,
        "sigmoid_derivative_exp_overflow",
        id="sigmoid-derivative-overflow",
    ),
    # hou27/implementation activation/tanh.py (and the course text's own formula): tanh
    # from exponentials, inf / inf past |z| = 709.
    pytest.param(
        """
        def tanh(z):
            up, down = np.exp(z), np.exp(-z)
            return (up - down) / (up + down)
        """,
        "tanh_from_exponentials",
        id="tanh-from-exponentials",
    ),
    # Sushmitha-Katti/Epai-Packages calculator/derivatives/dTanh.py: "1 - x^2" on the input.
    pytest.param(
        """
        def tanh_derivative(z):
            return 1 - z**2
        """,
        "tanh_derivative_of_z",
        id="tanh-derivative-on-z",
    ),
    # pskrunner14/neural-networks loss.py: log(sum(exp(logits))) with no max subtracted.
    pytest.param(
        """
        def softmax_cross_entropy(logits, y):
            picked = logits[np.arange(len(logits)), y]
            return float(np.mean(-picked + np.log(np.sum(np.exp(logits), axis=-1))))
        """,
        "cross_entropy_no_max_shift",
        id="cross-entropy-overflow",
    ),
    # kaiweihuang/CS231n assignment2/cs231n/layers.py (cs231n's softmax_loss): a stable
    # softmax, then the log of its probabilities.
    pytest.param(
        """
        def softmax_cross_entropy(logits, y):
            probs = np.exp(logits - np.max(logits, axis=1, keepdims=True))
            probs /= np.sum(probs, axis=1, keepdims=True)
            n = logits.shape[0]
            return float(-np.sum(np.log(probs[np.arange(n), y])) / n)
        """,
        "cross_entropy_log_of_softmax",
        id="cross-entropy-log-of-softmax",
    ),
    # parag-ingalkar/python_NN_MNIST_from_scratch neural_network/loss/cross_entropy.py: the
    # loss is a mean, its backward returns probs - labels without the 1/N.
    pytest.param(
        """
        def softmax_cross_entropy_grad(logits, y):
            exps = np.exp(logits - np.max(logits, axis=1, keepdims=True))
            probs = exps / np.sum(exps, axis=1, keepdims=True)
            labels = np.eye(logits.shape[1])[y]
            return probs - labels
        """,
        "cross_entropy_grad_not_divided_by_n",
        id="cross-entropy-grad-without-1-over-n",
    ),
    # pskrunner14/neural-networks loss.py: the gradient's softmax from raw exp(logits).
    pytest.param(
        """
        def softmax_cross_entropy_grad(logits, y):
            ones_for_answers = np.zeros_like(logits)
            ones_for_answers[np.arange(len(logits)), y] = 1
            softmax = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
            return (softmax - ones_for_answers) / logits.shape[0]
        """,
        "cross_entropy_grad_no_max_shift",
        id="cross-entropy-grad-overflow",
    ),
    # zhihanyang2022/maf-pytorch maf/batch_norm.py: torch's x.var(dim=0), which divides by
    # N - 1 unless told otherwise, to normalise the batch.
    pytest.param(
        """
        def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
            if training:
                m, v = x.mean(axis=0), np.var(x, axis=0, ddof=1)
            else:
                m, v = running_mean, running_var
            return (x - m) / np.sqrt(v + eps) * gamma + beta
        """,
        "batchnorm_unbiased_variance",
        id="batchnorm-unbiased-variance",
    ),
    # hannawong/MLE-interview 编程语言基础/pytorch/BN实现.md: the layer has no evaluation
    # path, so it always normalises with the batch's own statistics.
    pytest.param(
        """
        def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
            x_mean, x_var = x.mean(axis=0), x.var(axis=0)
            x_hat = (x - x_mean) / np.sqrt(x_var + eps)
            return gamma * x_hat + beta
        """,
        "batchnorm_eval_uses_batch_stats",
        id="batchnorm-no-evaluation-mode",
    ),
    # hmchen47/DataScience ML/MLNN-Hinton/src/batchnorm_forward.py: divides by the standard
    # deviation itself, no eps (as the course text's formula, (x - mu) / sigma).
    pytest.param(
        """
        def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
            if training:
                m, s = np.mean(x, axis=0), np.std(x, axis=0)
            else:
                m, s = running_mean, np.sqrt(running_var)
            return gamma * (x - m) / s + beta
        """,
        "batchnorm_no_eps",
        id="batchnorm-without-eps",
    ),
    # hannawong/MLE-interview 编程语言基础/pytorch/BN实现.md, as cs231n's batchnorm_forward
    # (jodusan/dstl README.md) documents it: momentum on the old value, biased variance.
    pytest.param(
        """
        def batchnorm_running_stats(x, running_mean, running_var, momentum):
            x_mean, x_var = x.mean(axis=0), x.var(axis=0)
            new_mean = (1 - momentum) * x_mean + momentum * running_mean
            new_var = (1 - momentum) * x_var + momentum * running_var
            return np.stack([new_mean, new_var])
        """,
        "running_stats_cs231n_convention",
        id="running-stats-cs231n",
    ),
    # bilgekul/custom-GAN- CustomBN.py: PyTorch's momentum, but the running variance is fed
    # the biased batch variance (var(unbiased=False)).
    pytest.param(
        """
        def batchnorm_running_stats(x, running_mean, running_var, momentum):
            mean, var = x.mean(axis=0), x.var(axis=0)
            return np.stack([
                (1 - momentum) * running_mean + momentum * mean,
                (1 - momentum) * running_var + momentum * var,
            ])
        """,
        "running_stats_biased_variance",
        id="running-stats-biased-variance",
    ),
    # leeroee/NN-by-Numpy package/optim/sgd.py (also eugenefil/mytorch svetoch/optim.py):
    # p *= 1 - decay, then p -= lr * grad: the decay is never scaled by the learning rate.
    pytest.param(
        """
        def sgd_weight_decay_step(w, grad, lr, weight_decay):
            decayed = w * (1.0 - weight_decay)
            return decayed - lr * grad
        """,
        "weight_decay_not_scaled_by_lr",
        id="weight-decay-not-scaled-by-lr",
    ),
    # tkmagesh/Nutanix-IntermediateML-May-2025
    # 15-Advanced-Regression/01-Regularization/02-L2-Regularization.md: the penalty
    # lambda * ||w||^2 without the 1/2, so its gradient is 2 * lambda * w.
    pytest.param(
        """
        def sgd_weight_decay_step(w, grad, lr, weight_decay):
            return w - lr * (grad + 2 * weight_decay * w)
        """,
        "weight_decay_doubled",
        id="weight-decay-doubled",
    ),
]

# Right answers written differently from the reference: every one keeps its points.
ALTERNATIVES = """
def sigmoid(z):
    # The textbook formula (jy2881/AndrewNG-ML-python ex4/sigmoid.py): exp(10000) is inf
    # with a warning, and 1 / (1 + inf) is 0, the right value.
    return 1.0 / (1.0 + np.exp(-z))


def tanh(z):
    return 2 * sigmoid(2 * z) - 1


def tanh_derivative(z):
    # sech(z)**2 (yanextreme9456/Funciones_de_activacion Funciones_de_activación/src/Tanh.py):
    # 4 / inf**2 is 0 for large |z|, the right value.
    return 4 / (np.exp(z) + np.exp(-z)) ** 2


def softmax_cross_entropy(logits, y):
    log_norm = np.logaddexp.reduce(logits, axis=1)  # (N,): log sum_j exp(z_ij), stably
    return float(np.mean(log_norm - logits[np.arange(len(y)), y]))


def softmax_cross_entropy_grad(logits, y):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = shifted / shifted.sum(axis=1, keepdims=True)
    return (p - np.eye(logits.shape[1])[y]) / len(y)


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, eps):
    # Step by step, as in ForrestPi/ObjectDetection syncbn/batchNorm.md.
    if not training:
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    n = x.shape[0]
    mu = 1.0 / n * np.sum(x, axis=0)
    xmu = x - mu
    var = 1.0 / n * np.sum(xmu**2, axis=0)
    return gamma * xmu / np.sqrt(var + eps) + beta


def batchnorm_running_stats(x, running_mean, running_var, momentum):
    n = len(x)
    unbiased = x.var(axis=0) * n / (n - 1)
    return np.vstack([
        running_mean + momentum * (x.mean(axis=0) - running_mean),
        running_var + momentum * (unbiased - running_var),
    ])


def sgd_weight_decay_step(w, grad, lr, weight_decay):
    # Decoupled form (junyii37/mls-pj mynn/optimizer/sgd.py): shrink, then step. For plain
    # SGD this equals w - lr * (grad + weight_decay * w).
    return w * (1 - lr * weight_decay) - lr * grad
"""


def graded(folder: Path, replacement: str) -> Report:
    """The reference with `replacement` appended (its definitions win), graded in a sandbox."""
    shutil.copytree(REFERENCE.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
    with (folder / REFERENCE.name).open("a", encoding="utf-8") as file:
        file.write(f"\n\n{textwrap.dedent(replacement)}\n")
    return grade(load_submission(folder, SPEC.entry), SPEC)


def function_of(mistake_id: str) -> str:
    return next(name for name, f in SPEC.functions.items() if mistake_id in f.wrong)


@pytest.mark.parametrize(("code", "mistake"), MINED)
def test_mined_mistake_loses_its_question_and_is_named(tmp_path, code, mistake):
    report = graded(tmp_path / "work", code)
    question = question_of(SPEC, function_of(mistake))
    points = next(q.points for q in SPEC.questions if q.id == question)
    assert [q.id for q in report.questions if not q.passed] == [question]
    assert report.score == SPEC.max_score - points
    assert mistake in named(report, question)


def test_mined_mistakes_cover_the_assignment():
    mined = {param.values[1] for param in MINED}
    assert mined <= set(SPEC.misconceptions)
    assert len(mined) >= 8
    # every question with a function has at least one mistake seen in real code
    written = {question_of(SPEC, name) for name in SPEC.functions}
    assert {question_of(SPEC, function_of(m)) for m in mined} == written


def test_correct_alternatives_keep_full_marks(tmp_path):
    report = graded(tmp_path / "work", ALTERNATIVES)
    lost = [(q.id, q.first_failure.message) for q in report.questions if not q.passed]
    assert report.score == SPEC.max_score, lost
