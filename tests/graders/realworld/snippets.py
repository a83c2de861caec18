"""A zoo of real-world implementations of the self-check's functions.

Each entry is a function found in a public GitHub repository (course solutions for cs231n,
deeplearning.ai, Deep Learning from Scratch, d2l and Holberton, tutorials, from-scratch NN
libraries), adapted only in name and signature to the self-check's student contract: the
function and its parameters renamed to dlgrade's, methods unwrapped into functions (``self.x``
replaced by the argument), and a NumPy ``rng`` used only where the original took a seed or a
random source. Bodies are kept as found, bugs included. Every snippet was run against the
contract (1-D and 2-D inputs, exact zeros, float32, |z| up to 1e4, non-square shapes, spare
classes, dropout statistics) and given a verdict; wrong ones name the bug (``mistake``, then
any secondary ones in ``also``) and say in a student's words what goes wrong (``why``).

``mistake`` is the id of the known mistake the grader must name (one of the self-check's
contracts' mistakes); where the bug is a one-off slip no known mistake describes,
``mistake`` is empty and ``says`` is what the report must say instead. ``also`` and ``why``
are the collector's notes.

``holdout`` marks about a quarter of the entries, drawn at random (seeded) within each
function and verdict after collection: keep them aside to check later that the grader names
those too. How the zoo was collected, the counts and the tags are in NOTES.md next to this
file.

Each ``code`` string is a self-contained definition that assumes ``import numpy as np``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    id: str  # "<function>-<short-source-name>-<n>"
    function: str  # relu, relu_backward, softmax, mse, mse_grad, backprop_delta1, one_hot, ...
    repo: str  # "owner/name" on GitHub
    path: str  # path of the file in that repository
    commit: str  # the commit the code was read at ("" if unknown)
    code: str  # the adapted function definition(s), dedented
    verdict: str  # "correct" or "wrong" under the self-check's contract
    mistake: str = ""  # tag of the most fundamental bug ("" when correct)
    also: tuple[str, ...] = ()  # secondary bug tags
    why: str = ""  # what goes wrong, and on which input
    holdout: bool = False  # kept aside to check the grader later
    # For a one-off slip that no known mistake describes (a typo in a return line): a
    # phrase the report's first failure must contain, saying what came back.
    says: str = ""


SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        id="relu-gesture-detection-1",
        function="relu",
        repo="maxlevv/Gesture-Detection",
        path="src/modeling/activation_functions.py",
        commit="170203e13ec1e529e0dd9323cb9eb2f97820a192",
        code="""\
def relu(z):
    return np.max(
        np.concatenate([z[:, :, np.newaxis], np.zeros((z.shape[0], z.shape[1], 1))], axis=2),
        axis=2,
    )
""",
        verdict="wrong",
        mistake="relu_assumes_2d",
        why=(
            "It stacks z[:, :, np.newaxis] against zeros, which works for a 2-D batch but raises "
            "IndexError (too many indices) on a 1-D vector."
        ),
    ),
    # adapted: ReLU.forward
    Snippet(
        id="relu-cnn-cifar-10-2",
        function="relu",
        repo="radu-dumitru/cnn-cifar-10",
        path="src/relu.py",
        commit="1115d43eee9c16eb4e76bce07fce8b301ef70c4c",
        code="""\
def relu(z):
    return np.maximum(0, z)
""",
        verdict="correct",
    ),
    Snippet(
        id="relu-nn-from-scratch-es-3",
        function="relu",
        repo="ethan-stone/Neural-Network-From-Scratch",
        path="activations.py",
        commit="c3ea84a82c6fd9ff2946d76017c3273d3a105b71",
        code="""\
def relu(z):
    l = [0 if i < 0 else i for i in z]
    return np.array(l)
""",
        verdict="wrong",
        mistake="relu_assumes_1d",
        why=(
            "The list comprehension compares whole rows with 0 on a 2-D batch and raises "
            "ValueError (truth value of an array is ambiguous); it only works on a 1-D vector."
        ),
        holdout=True,
    ),
    # adapted: Relu.forward, self.mask -> local mask
    Snippet(
        id="relu-dlfs-yoshingo-4",
        function="relu",
        repo="yoshinGO/deep-learning-from-scratch",
        path="ch05/relu.py",
        commit="f7de3e9f78abe239ab361bd445a42c3cdb5cd732",
        code="""\
def relu(z):
    mask = z <= 0
    out = z.copy()
    out[mask] = 0

    return 0
""",
        verdict="wrong",
        mistake="",
        says="one number instead of an array",
        why=(
            "forward() ends with return 0 instead of return out, so relu returns the integer 0 "
            "for every input."
        ),
    ),
    # adapted: relu.forward (Deep Learning from Scratch layer), self.mask -> local
    Snippet(
        id="relu-b3-programming-5",
        function="relu",
        repo="hiroakitanaka216/2020B3_Programming",
        path="day2/task3_2.py",
        commit="156d0be2ddaf45c4cc95020c8fe0e5e0f5c89fb0",
        code="""\
def relu(z):
    mask = z <= 0
    out = z.copy()
    out[mask] = 0

    return out
""",
        verdict="correct",
    ),
    Snippet(
        id="relu-johnny-deep-6",
        function="relu",
        repo="fffaez/johnny_deep",
        path="johnny_deep/activations.py",
        commit="091068a0b351d02cd8ab637d55b70c4fb71bafd3",
        code="""\
def relu(z):
    return np.maximum(0, z)
""",
        verdict="correct",
        holdout=True,
    ),
    Snippet(
        id="relu-codern-nn-7",
        function="relu",
        repo="CoderN-P/NeuralNetwork",
        path="utils/relu.py",
        commit="19fcdbb5448b83c3a1701e7a87d57747788125d5",
        code="""\
def relu(z):
    return np.maximum(0, z)
""",
        verdict="correct",
    ),
    # adapted: relu_d(z) derivative only; dout unused
    Snippet(
        id="relu_backward-gesture-detection-1",
        function="relu_backward",
        repo="maxlevv/Gesture-Detection",
        path="src/modeling/activation_functions.py",
        commit="170203e13ec1e529e0dd9323cb9eb2f97820a192",
        code="""\
def relu_backward(dout, z):
    d = np.zeros_like(z)
    d[np.where(z >= 0)] = 1
    return d
""",
        verdict="wrong",
        mistake="relu_backward_ignores_dout",
        also=("relu_backward_passes_at_zero",),
        why=(
            "It returns the 0/1 derivative mask instead of dout times the mask, and marks z == 0 "
            "with a 1 because it tests z >= 0."
        ),
    ),
    # adapted: cache argument renamed z
    Snippet(
        id="relu_backward-py-proj-intel-2",
        function="relu_backward",
        repo="MrCadagon/py_proj",
        path="intel_code/intel上交/Relu.py",
        commit="ed38a7d9770be871b90c6c0171f1a9a71bc5f0de",
        code="""\
def relu_backward(dout, z):
    x = z
    dx = np.where(x > 0, dout, 0)
    return dx
""",
        verdict="correct",
        holdout=True,
    ),
    # adapted: ReLU.backward, self.x -> z
    Snippet(
        id="relu_backward-cnn-cifar-10-3",
        function="relu_backward",
        repo="radu-dumitru/cnn-cifar-10",
        path="src/relu.py",
        commit="1115d43eee9c16eb4e76bce07fce8b301ef70c4c",
        code="""\
def relu_backward(dout, z):
    dx = dout * (z > 0)
    return dx
""",
        verdict="correct",
    ),
    # adapted: relu_der(x): derivative only
    Snippet(
        id="relu_backward-nn-from-scratch-es-4",
        function="relu_backward",
        repo="ethan-stone/Neural-Network-From-Scratch",
        path="activations.py",
        commit="c3ea84a82c6fd9ff2946d76017c3273d3a105b71",
        code="""\
def relu_backward(dout, z):
    l = [0 if i < 0 else 1 for i in z]
    return np.array(l)
""",
        verdict="wrong",
        mistake="relu_backward_ignores_dout",
        also=("relu_backward_passes_at_zero", "relu_backward_assumes_1d"),
        why=(
            "It returns the derivative 0/1 list without multiplying by dout, gives 1 at z == 0 "
            "(it tests i < 0), and raises ValueError on a 2-D batch."
        ),
    ),
    # adapted: relu_derivative(x): derivative only
    Snippet(
        id="relu_backward-codern-nn-5",
        function="relu_backward",
        repo="CoderN-P/NeuralNetwork",
        path="utils/relu.py",
        commit="19fcdbb5448b83c3a1701e7a87d57747788125d5",
        code="""\
def relu_backward(dout, z):
    return np.where(z <= 0, 0, 1)
""",
        verdict="wrong",
        mistake="relu_backward_ignores_dout",
        why=(
            "It returns the ReLU derivative np.where(z <= 0, 0, 1) as ints and never multiplies "
            "by the upstream gradient dout."
        ),
        holdout=True,
    ),
    # adapted: relu_df(x): copies x, not the upstream gradient
    Snippet(
        id="relu_backward-jerry-study-6",
        function="relu_backward",
        repo="JerryHuangTT/study",
        path="basic/activate.py",
        commit="8df9464db0f316fe8b44613f6bdd5e691a29fb51",
        code="""\
def relu_backward(dout, z):
    dZ = np.array(z, copy=True)
    dZ[z <= 0] = 0
    assert dZ.shape == z.shape  # 确保维度相同
    return dZ
""",
        verdict="wrong",
        mistake="relu_backward_returns_relu",
        also=("relu_backward_ignores_dout",),
        why=(
            "It copies z instead of dout before zeroing z <= 0, so it returns relu(z) and the "
            "upstream gradient never appears in the answer."
        ),
    ),
    Snippet(
        id="relu_backward-johnny-deep-7",
        function="relu_backward",
        repo="fffaez/johnny_deep",
        path="johnny_deep/activations.py",
        commit="091068a0b351d02cd8ab637d55b70c4fb71bafd3",
        code="""\
def relu_backward(dout, z):
    dZ = np.array(dout, copy=True)
    dZ[z <= 0] = 0
    return dZ
""",
        verdict="correct",
    ),
    # adapted: relu.backward; self.mask is the mask forward(z) stores; mutates dout in place
    Snippet(
        id="relu_backward-b3-programming-8",
        function="relu_backward",
        repo="hiroakitanaka216/2020B3_Programming",
        path="day2/task3_2.py",
        commit="156d0be2ddaf45c4cc95020c8fe0e5e0f5c89fb0",
        code="""\
def relu_backward(dout, z):
    mask = z <= 0  # self.mask, as set by forward(z)
    dout[mask] = 0
    dx = dout

    return dx
""",
        verdict="correct",
    ),
    # adapted: relu_backward(dout, cache): cache -> z; mutates dout in place
    Snippet(
        id="relu_backward-cs231n-2019-0809zheng-9",
        function="relu_backward",
        repo="0809zheng/CS231n-assignment2019",
        path="assignment2/cs231n/layers.py",
        commit="bfc81c1989e71b4887a9bcd581b273d2faefb90d",
        code="""\
def relu_backward(dout, z):
    dx, x = None, z
    dx = dout
    dx[x <= 0] = 0
    return dx
""",
        verdict="correct",
    ),
    Snippet(
        id="softmax-zongshe-1",
        function="softmax",
        repo="heeyil/ZongShe",
        path="DeepLearning/utils/math.py",
        commit="174811a7f566997e83c9f4108027e08447efe557",
        code="""\
def softmax(z, axis=-1):
    x_max = np.max(z, axis=axis, keepdims=True)
    exps = np.exp(z - x_max)
    return exps / np.sum(exps, axis=axis, keepdims=True)
""",
        verdict="correct",
    ),
    Snippet(
        id="softmax-program-synthesis-pg-2",
        function="softmax",
        repo="Priyanshu-pg/Program-Synthesis-using-PG",
        path="venv/utils.py",
        commit="c47d6ebe8100e19ac48e3a79368d6edcbdeb6d6a",
        code="""\
def softmax(z):
    e_x = np.exp(z - np.max(z))
    return e_x / e_x.sum(axis=0)
""",
        verdict="wrong",
        mistake="softmax_wrong_axis",
        also=("softmax_global_max_shift",),
        why=(
            "On a 2-D batch it sums down the columns (axis 0), so the rows do not sum to 1, and "
            "the single global max makes a row far below it underflow to all zeros."
        ),
    ),
    Snippet(
        id="softmax-oco-project-3",
        function="softmax",
        repo="theophilec/oco-project",
        path="src/utils.py",
        commit="1d8e33d154a3fcacb6de023a6dd1d7291a9033c4",
        code="""\
def softmax(z):
    return np.exp(z) / np.exp(z).sum()
""",
        verdict="wrong",
        mistake="softmax_normalises_whole_array",
        also=("softmax_no_max_shift",),
        why=(
            "It divides by the sum over the whole array, so the rows of a batch do not each sum "
            "to 1, and softmax([1000, 1001, 1002]) overflows to nan."
        ),
    ),
    Snippet(
        id="softmax-dlfs-study-4",
        function="softmax",
        repo="koyahi/study",
        path="2016/11a_deep_learning_from_scratch/03/softmax.py",
        commit="da31ec64c79376a6321524e759e60a236a198672",
        code="""\
def softmax(z):
    exp_x = np.exp(z)
    sum_exp_x = np.sum(exp_x)
    return exp_x / sum_exp_x
""",
        verdict="wrong",
        mistake="softmax_normalises_whole_array",
        also=("softmax_no_max_shift",),
        why=(
            "It divides by one sum over the whole array, so the rows of a batch do not each sum "
            "to 1, and large logits such as [1000, 1001, 1002] overflow to nan."
        ),
        holdout=True,
    ),
    Snippet(
        id="softmax-lstm-keras-5",
        function="softmax",
        repo="nik31096/lstm_keras",
        path="assignment3.py",
        commit="28f131d47e7df926d888b5f68855dcc59a938369",
        code="""\
def softmax(z):
    shiftx = z - np.max(z)
    exps = np.exp(shiftx)
    return exps / np.sum(exps)
""",
        verdict="wrong",
        mistake="softmax_normalises_whole_array",
        why=(
            "It shifts by the global max and divides by the sum over the whole array, so on a 2-D"
            " batch all the entries together sum to 1 instead of each row."
        ),
        holdout=True,
    ),
    Snippet(
        id="softmax-gesture-detection-6",
        function="softmax",
        repo="maxlevv/Gesture-Detection",
        path="src/modeling/activation_functions.py",
        commit="170203e13ec1e529e0dd9323cb9eb2f97820a192",
        code="""\
def softmax(z: np.array):
    # z (n x d)
    m = z.max(axis=0)
    trans_z = z - m[np.newaxis, :]
    e = np.exp(trans_z)  # (n x d)
    return e / e.sum(axis=0).reshape(1, -1)  # axis verändert von 1 auf 0
""",
        verdict="wrong",
        mistake="softmax_wrong_axis",
        also=("softmax_assumes_2d",),
        why=(
            "It normalises each column (axis 0) of a batch instead of each row, and on a 1-D "
            "vector m[np.newaxis, :] raises IndexError because the column max is a scalar."
        ),
    ),
    Snippet(
        id="softmax-interview-code-7",
        function="softmax",
        repo="yanho824/interview_code",
        path="softmax.py",
        commit="e56f67f2315525039cf3c982af4a3fa0d69c7f49",
        code="""\
def softmax(z):
    exp_z = np.exp(z - np.max(z))
    return exp_z / np.sum(exp_z)
""",
        verdict="wrong",
        mistake="softmax_normalises_whole_array",
        why=(
            "It divides by the sum of the whole array, so on a batch the probabilities of all "
            "rows together add up to 1 instead of each row adding up to 1."
        ),
    ),
    # adapted: mutates its input in place
    Snippet(
        id="softmax-needle-8",
        function="softmax",
        repo="roosephu/needle",
        path="needle/helper/utils.py",
        commit="039e72269b6a28ae6850c0b61dd7c3bb3aed004d",
        code="""\
def softmax(z):
    z -= np.max(z, axis=-1, keepdims=True)
    z = np.exp(z)
    return z / np.sum(z, axis=-1, keepdims=True)
""",
        verdict="correct",
    ),
    # adapted: tabs re-indented as 4 spaces
    Snippet(
        id="softmax-dlfs2-yumatsui-9",
        function="softmax",
        repo="yumatsui00/utils",
        path="python/AI/common/functions.py",
        commit="e1c844bbbd15c27d3f3a666f84f3354643583927",
        code="""\
def softmax(z):
    if z.ndim == 2:
        z = z - z.max(axis=1, keepdims=True)
        z = np.exp(z)
        z /= z.sum(axis=1, keepdims=True)
    elif z.dim == 1:
        z = z - z.max(z)
        z = np.exp(z) / np.sum(np.exp(z))
    return z
""",
        verdict="wrong",
        mistake="softmax_assumes_2d",
        why=(
            "The 1-D branch tests x.dim instead of x.ndim (and calls x.max(x)), so a 1-D vector "
            "raises AttributeError; 2-D batches are fine."
        ),
    ),
    Snippet(
        id="softmax-tettei-engineer-10",
        function="softmax",
        repo="skillup-ai/tettei-engineer",
        path="chapter11/common/functions.py",
        commit="1f69719771aad1e048a804741f9256c984c847a0",
        code="""\
def softmax(z):
    if z.ndim == 2:
        z = z - z.max(axis=1, keepdims=True)
        z = np.exp(z)
        z /= z.sum(axis=1, keepdims=True)
    elif z.ndim == 1:
        z = z - np.max(z)
        z = np.exp(z) / np.sum(np.exp(z))
    return z
""",
        verdict="correct",
        holdout=True,
    ),
    Snippet(
        id="softmax-codecraft2022-11",
        function="softmax",
        repo="crazyfat/CodeCraft2022",
        path="退火算法版本/CodeCraft-2022/src/util.py",
        commit="362f494fb821acb6dbf7f63b71d7208487a8da2c",
        code='''\
def softmax(z):
    """softmax function"""

    # assert(len(x.shape) > 1, "dimension must be larger than 1")
    # print(np.max(x, axis = 1, keepdims = True)) # axis = 1, 行

    z = np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)

    return z
''',
        verdict="wrong",
        mistake="softmax_no_max_shift",
        why="It exponentiates the raw logits, so softmax([1000, 1001, 1002]) overflows to nan.",
    ),
    # adapted: softmax(scores)
    Snippet(
        id="softmax-pvcd-pytorch-12",
        function="softmax",
        repo="vanhao-le/PVCD-Pytorch",
        path="chip/utils.py",
        commit="1b75efc5f2d2c8643cc1eae7874f77feb1ba7d72",
        code="""\
def softmax(z):
    es = np.exp(z - z.max(axis=-1)[..., None])
    return es / es.sum(axis=-1)[..., None]
""",
        verdict="correct",
    ),
    Snippet(
        id="softmax-murphy-13",
        function="softmax",
        repo="gregclinton/murphy",
        path="softmax.py",
        commit="07ca53e9933ee96e048caf6b5119602a78a5c16a",
        code="""\
def works(x):
    x = np.array(x, dtype=float)
    x = x.T - np.max(x, axis=1)  # prevent overflow
    e = np.exp(x.T).T
    return x, e, np.sum(e, axis=0)


def softmax(z):
    x, e, s = works(z)
    return (e / s).T
""",
        verdict="wrong",
        mistake="softmax_assumes_2d",
        why=(
            "It takes np.max(x, axis=1), so a 1-D vector raises AxisError (axis 1 is out of "
            "bounds)."
        ),
        holdout=True,
    ),
    Snippet(
        id="softmax-project-origin-14",
        function="softmax",
        repo="kourgeorge/project-origin",
        path="utils.py",
        commit="07e45ed15f14e02e1c742422548395389e290236",
        code='''\
def softmax(z):
    """
    Compute softmax values for each sets of scores in x.

    Rows are scores for each class.
    Columns are predictions (samples).
    """
    # x = normalize(np.reshape(x, (1, -1)), norm='l2')[0]
    scoreMatExp = np.exp(np.subtract(z, max(z)))
    if np.isinf(np.sum(scoreMatExp)):
        print("Inf in softmax")
    return scoreMatExp / scoreMatExp.sum(0)
''',
        verdict="wrong",
        mistake="softmax_assumes_1d",
        also=("softmax_wrong_axis",),
        why=(
            "It uses Python's max(x), which raises ValueError on a 2-D batch, and its sum(0) "
            "treats columns as samples; only 1-D input works."
        ),
    ),
    # adapted: the deeplearning.ai 'Python basics with numpy' softmax exercise
    Snippet(
        id="softmax-dl-basic-dlrlgugu-15",
        function="softmax",
        repo="dlrlgugu/dl_basic",
        path="softmax.py",
        commit="8f179c6386e5d864c809091e07e9dac17a1f3e65",
        code="""\
def softmax(z):
    x_exp = np.exp(z)
    x_sum = np.sum(x_exp, axis=1, keepdims=True)
    s = x_exp / x_sum

    return s
""",
        verdict="wrong",
        mistake="softmax_assumes_2d",
        also=("softmax_no_max_shift",),
        why=(
            "It sums with axis=1, so a 1-D vector raises AxisError, and without a max shift large"
            " logits overflow to nan."
        ),
    ),
    # adapted: loss(y_true, y_pred)
    Snippet(
        id="mse-rnn-fs-1",
        function="mse",
        repo="louiseblade/RNN_FS",
        path="loss.py",
        commit="54f1d30cde50be4ee85c5347dedca90bd78498fc",
        code="""\
def mse(y_pred, y_true):
    return np.mean((y_true - y_pred) ** 2)
""",
        verdict="correct",
    ),
    # adapted: mse(y_true, y_pred)
    Snippet(
        id="mse-cs-joy-nn-2",
        function="mse",
        repo="cs-joy/Neural_Networks",
        path="Losses.py",
        commit="167e16c1a83268a5b3e95d835f10b50a3f720a3c",
        code="""\
def mse(y_pred, y_true):
    return np.mean(np.power(y_true - y_pred, 2))
""",
        verdict="correct",
    ),
    # adapted: mse(y_true, y_pred)
    Snippet(
        id="mse-breast-cancer-ann-3",
        function="mse",
        repo="xPieroxk/ann_breast_cancer",
        path="loss_functions.py",
        commit="e92861326e4455cea9d8bc8175d03c650f184f64",
        code="""\
def mse(y_pred, y_true):
    return np.mean(np.power(y_true - y_pred, 2)) / 2
""",
        verdict="wrong",
        mistake="mse_half_convention",
        why=(
            "It divides the mean squared error by 2 (the 1/2 convention), so mse([1, 2, 3], [1, "
            "2, 5]) returns 2/3 instead of 4/3."
        ),
    ),
    # adapted: MSELoss.forward
    Snippet(
        id="mse-ci-project-4",
        function="mse",
        repo="Abdullah-Sherif935/CI_project",
        path="lib/losses.py",
        commit="0b14e4b9bbeabec3701199ada65c38764cb5276e",
        code="""\
def mse(y_pred, y_true):
    return np.mean((y_pred - y_true) ** 2)
""",
        verdict="correct",
    ),
    # adapted: MSE.forward(x, y); train.py calls mse.forward(out, t)
    Snippet(
        id="mse-ted027-scripts-5",
        function="mse",
        repo="ted027/Scripts",
        path="python_/neural/MSE.py",
        commit="8b7373264134f1f2ac7b2a31c25f5dea0abf9663",
        code="""\
def mse(y_pred, y_true):
    return np.square(y_true.reshape(-1) - y_pred.reshape(-1)).mean()
""",
        verdict="correct",
    ),
    # adapted: mean_squared_error(y, t)
    Snippet(
        id="mse-dlfs-yyhc-6",
        function="mse",
        repo="yyhclimacool/deep_learning_from_scrach",
        path="ch04/mean_squared_error.py",
        commit="2d06778d67942c5c7a1c0c67f7a04674b9420949",
        code="""\
def mse(y_pred, y_true):
    return 0.5 * np.sum((y_pred - y_true) ** 2)
""",
        verdict="wrong",
        mistake="mse_half_sum",
        also=("mse_half_convention",),
        why=(
            "It returns 0.5 * the sum of squared errors (Deep Learning from Scratch's loss), so "
            "mse([1, 2, 3], [1, 2, 5]) is 2.0 instead of 4/3."
        ),
    ),
    # adapted: mean_squared_error(y, t)
    Snippet(
        id="mse-dlfs-motsat-7",
        function="mse",
        repo="motsat/deep-learning-from-scratch",
        path="ch01/mean_squared_error.py",
        commit="38ce7cf8977ff9777ce28b1ae9998db981ef1ea8",
        code="""\
def mse(y_pred, y_true):
    return 0.5 + np.sum((y_pred - y_true) ** 2)
""",
        verdict="wrong",
        mistake="",
        says="returned 4.5; expected 1.33333",
        also=("mse_adds_half",),
        why=(
            "It sums instead of averaging and adds 0.5 (0.5 + where 0.5 * was meant), so mse([1, "
            "2, 3], [1, 2, 5]) returns 4.5 instead of 4/3."
        ),
    ),
    # adapted: MeanSquaredError.forward
    Snippet(
        id="mse-synaptron-8",
        function="mse",
        repo="Samsung-Studio/Synaptron",
        path="models/losses.py",
        commit="c9285c8da7bfe959e67261268b37affa17bc38ab",
        code="""\
def mse(y_pred, y_true):
    return np.mean((y_pred - y_true) ** 2)
""",
        verdict="correct",
        holdout=True,
    ),
    # adapted: MSE.__call__ return value
    Snippet(
        id="mse-mgu-backprop-9",
        function="mse",
        repo="bpaszko/MGU_backprop",
        path="losses/mse.py",
        commit="0c5aab3778588225beab9bab72b15a9153e37480",
        code="""\
def mse(y_pred, y_true):
    return ((y_pred - y_true) ** 2).sum() / (2 * y_pred.shape[0])
""",
        verdict="wrong",
        mistake="mse_one_over_2m",
        also=("mse_half_convention",),
        why=(
            "It divides the sum of squared errors by 2 * rows, which is half the mean on 1-D "
            "input and equals the mean only when a batch has exactly 2 columns."
        ),
        holdout=True,
    ),
    # adapted: MSELoss.loss(y, yhat)
    Snippet(
        id="mse-codeanet-10",
        function="mse",
        repo="nayyarv/CodeANet",
        path="NN/loss.py",
        commit="0ef0b091cbc2c85e278ff6b3f36e94de2ea24737",
        code="""\
def mse(y_pred, y_true):
    return np.mean((y_true - y_pred) ** 2 / 2)
""",
        verdict="wrong",
        mistake="mse_half_convention",
        why="It averages (y - yhat)**2 / 2, so the loss is half the mean squared error.",
    ),
    # adapted: mse_grad(y_true, y_pred)
    Snippet(
        id="mse_grad-rnn-fs-1",
        function="mse_grad",
        repo="louiseblade/RNN_FS",
        path="loss.py",
        commit="54f1d30cde50be4ee85c5347dedca90bd78498fc",
        code="""\
def mse_grad(y_pred, y_true):
    return y_pred - y_true
""",
        verdict="wrong",
        mistake="mse_grad_residual_only",
        also=("mse_grad_missing_two",),
        why=(
            "It returns the plain residual y_pred - y_true, with neither the factor 2 nor the "
            "division by N, so [1, 2, 3] vs [1, 2, 5] gives -2 where -4/3 is expected."
        ),
    ),
    # adapted: mse_prime(y_true, y_pred)
    Snippet(
        id="mse_grad-cs-joy-nn-2",
        function="mse_grad",
        repo="cs-joy/Neural_Networks",
        path="Losses.py",
        commit="167e16c1a83268a5b3e95d835f10b50a3f720a3c",
        code="""\
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / np.size(y_true)
""",
        verdict="correct",
    ),
    # adapted: mse_derivative(y_true, y_pred)
    Snippet(
        id="mse_grad-breast-cancer-ann-3",
        function="mse_grad",
        repo="xPieroxk/ann_breast_cancer",
        path="loss_functions.py",
        commit="e92861326e4455cea9d8bc8175d03c650f184f64",
        code="""\
def mse_grad(y_pred, y_true):
    return (y_pred - y_true) / y_true.size
""",
        verdict="wrong",
        mistake="mse_grad_missing_two",
        why=(
            "It is the gradient of the halved MSE, (y_pred - y_true) / N, so every entry is half "
            "of 2 * (y_pred - y_true) / N."
        ),
    ),
    # adapted: MSELoss.backward
    Snippet(
        id="mse_grad-ci-project-4",
        function="mse_grad",
        repo="Abdullah-Sherif935/CI_project",
        path="lib/losses.py",
        commit="0b14e4b9bbeabec3701199ada65c38764cb5276e",
        code="""\
def mse_grad(y_pred, y_true):
    batch_size = y_true.shape[0]
    return (2.0 / batch_size) * (y_pred - y_true)
""",
        verdict="wrong",
        mistake="mse_grad_divides_by_rows",
        why=(
            "It divides by y_true.shape[0], the batch size, instead of the number of elements, so"
            " on a (3, 2) batch the gradient is twice too large (it is right only for 1-D input)."
        ),
    ),
    # adapted: MSE.backward(x, y); train.py calls mse.backward(out, t)
    Snippet(
        id="mse_grad-ted027-scripts-5",
        function="mse_grad",
        repo="ted027/Scripts",
        path="python_/neural/MSE.py",
        commit="8b7373264134f1f2ac7b2a31c25f5dea0abf9663",
        code="""\
def mse_grad(y_pred, y_true):
    return 2 * (y_true.reshape(-1) - y_pred.reshape(-1)).mean()
""",
        verdict="wrong",
        mistake="",
        says="one number instead of an array",
        also=("mse_grad_sign_flipped",),
        why=(
            "It returns one number, 2 * mean(y_true - y_pred), instead of an array the shape of "
            "y_pred, and the sign is flipped."
        ),
    ),
    # adapted: MeanSquaredError.backward
    Snippet(
        id="mse_grad-synaptron-6",
        function="mse_grad",
        repo="Samsung-Studio/Synaptron",
        path="models/losses.py",
        commit="c9285c8da7bfe959e67261268b37affa17bc38ab",
        code="""\
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / y_true.size
""",
        verdict="correct",
    ),
    # adapted: mse_prime(y_true, y_pred)
    Snippet(
        id="mse_grad-ml-project-elgonio-7",
        function="mse_grad",
        repo="elgonio/ML_project",
        path="nn_loss.py",
        commit="a20a8b28774650362c31c0ed3a0eadfa1c636f6b",
        code="""\
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / y_true.size
""",
        verdict="correct",
    ),
    # adapted: MSE.__call__ stores self._grad, returned by backward()
    Snippet(
        id="mse_grad-mgu-backprop-8",
        function="mse_grad",
        repo="bpaszko/MGU_backprop",
        path="losses/mse.py",
        commit="0c5aab3778588225beab9bab72b15a9153e37480",
        code="""\
def mse_grad(y_pred, y_true):
    return (y_pred - y_true) / y_pred.shape[0]
""",
        verdict="wrong",
        mistake="mse_grad_one_over_m",
        also=("mse_grad_missing_two",),
        why=(
            "It returns (y_pred - y_true) / rows, which matches 2 * (y_pred - y_true) / N only "
            "when a batch has exactly 2 columns; on 1-D input it is half the right gradient."
        ),
        holdout=True,
    ),
    # adapted: MSELoss.loss_gradient(y, yhat)
    Snippet(
        id="mse_grad-codeanet-9",
        function="mse_grad",
        repo="nayyarv/CodeANet",
        path="NN/loss.py",
        commit="0ef0b091cbc2c85e278ff6b3f36e94de2ea24737",
        code="""\
def mse_grad(y_pred, y_true):
    return np.mean(y_pred - y_true)
""",
        verdict="wrong",
        mistake="mse_grad_reduced_to_scalar",
        also=("mse_grad_missing_two",),
        why=(
            "It returns the single number mean(y_pred - y_true) instead of an array of "
            "per-element gradients (and has no factor 2)."
        ),
        holdout=True,
    ),
    # adapted: MeanSquaredError.backward(y_true, y_pred)
    Snippet(
        id="mse_grad-holomind-10",
        function="mse_grad",
        repo="Millz98/HoloMind",
        path="holomind/loss.py",
        commit="532d3bbb54aff54357a19e686a7bfb8729469a62",
        code="""\
def mse_grad(y_pred, y_true):
    return -2 * (y_true - y_pred) / y_true.size
""",
        verdict="correct",
        holdout=True,
    ),
    # adapted: TwoLayerNet.loss backward lines; dscores -> delta2
    Snippet(
        id="backprop_delta1-cs231n-0809zheng-1",
        function="backprop_delta1",
        repo="0809zheng/CS231n-assignment2019",
        path="assignment1/cs231n/classifiers/neural_net.py",
        commit="8762fdfcb6a477ca9819707c81688b9186732abf",
        code="""\
def backprop_delta1(delta2, W1, W2, z1):
    da1 = delta2.dot(W2.T)
    dz1 = da1
    dz1[z1 <= 0] = 0
    return dz1
""",
        verdict="wrong",
        mistake="backprop_wrong_transpose",
        why=(
            "It uses delta2 @ W2.T (cs231n stores W2 as (hidden, out)), which raises ValueError "
            "for non-square layers and gives the wrong numbers when W2 is square."
        ),
        holdout=True,
    ),
    # adapted: TwoLayerNet.loss backward lines; softmax_matrix -> delta2, fc1 -> z1
    Snippet(
        id="backprop_delta1-cs231n-1602077-2",
        function="backprop_delta1",
        repo="1602077/stanford-cs231n",
        path="assignment1/cs231n/classifiers/neural_net.py",
        commit="4bf7f98d3636e955f80792be1aea017867f1d2cd",
        code="""\
def backprop_delta1(delta2, W1, W2, z1):
    dW1 = delta2.dot(W2.T)
    dfc1 = dW1 * (z1 > 0)
    return dfc1
""",
        verdict="wrong",
        mistake="backprop_wrong_transpose",
        why=(
            "It multiplies delta2 by W2.T as in cs231n's (in, out) weights, so with torch-style "
            "(out, in) weights it raises ValueError on non-square shapes and is wrong on square "
            "ones."
        ),
    ),
    # adapted: PyTorch tutorial's NumPy warm-up; grad_y_pred -> delta2, w2 -> W2, h -> z1
    Snippet(
        id="backprop_delta1-pytorch-warmup-numpy-3",
        function="backprop_delta1",
        repo="xjtuwgt/PytorchBERT",
        path="HarvardPytorch/warmup.py",
        commit="3e56d4907957b19aa105a6c2a6f73c8ef1fb3836",
        code="""\
def backprop_delta1(delta2, W1, W2, z1):
    grad_h_trlu = delta2.dot(W2.T)
    grad_h = grad_h_trlu.copy()
    grad_h[z1 < 0] = 0
    return grad_h
""",
        verdict="wrong",
        mistake="backprop_wrong_transpose",
        also=("backprop_mask_at_zero",),
        why=(
            "It uses delta2 @ W2.T for weights stored (in, out), and zeroes only z1 < 0, so the "
            "gradient still flows where z1 == 0."
        ),
    ),
    # adapted: NeuralNetwork.backward; delta3 -> delta2, the original's delta2 -> delta, self.a1
    # from forward()
    Snippet(
        id="backprop_delta1-semseg-cnn-4",
        function="backprop_delta1",
        repo="glnrmdan/Semantic-Segmentation-Using-CNN",
        path="utils/neural_network.py",
        commit="bd4467a7dec2ef2f6dcc0ef8d72f2211200f2897",
        code="""\
def backprop_delta1(delta2, W1, W2, z1):
    a1 = np.maximum(0, z1)  # ReLU activation, as in forward()
    delta = np.dot(delta2, W2.T)
    delta[a1 <= 0] = 0  # ReLU derivative
    return delta
""",
        verdict="wrong",
        mistake="backprop_wrong_transpose",
        why=(
            "It computes delta2 @ W2.T for (in, out) weights, so with W2 stored (out, in) it "
            "raises ValueError on non-square shapes and is silently wrong on square ones."
        ),
    ),
    # adapted: backward(); dZ2 -> delta2, w2 -> W2, Z1 -> z1; samples are columns in the
    # original
    Snippet(
        id="backprop_delta1-garvbehl-dl-5",
        function="backprop_delta1",
        repo="garvbehl23/DL",
        path="backpropusingnumpy.py",
        commit="f3fd2bcb8bb48b09e29238b71267a6b25927bf08",
        code="""\
def relu_grad(z):
    # If the input is positive, the slope is 1; if it's zero or negative, the slope is 0.
    return (z > 0).astype(float)


def backprop_delta1(delta2, W1, W2, z1):
    dA1 = W2.T @ delta2
    dZ1 = dA1 * relu_grad(z1)
    return dZ1
""",
        verdict="wrong",
        mistake="backprop_samples_as_columns",
        why=(
            "It computes W2.T @ delta2 with one sample per column (Andrew Ng's layout), so with a"
            " row batch it raises ValueError on non-square shapes and returns a transposed mess "
            "on square ones."
        ),
    ),
    # adapted: TwoLayerNet.loss: dscores -> delta2; m_scores = relu(X @ W1 + b1) recomputed from
    # z1
    Snippet(
        id="backprop_delta1-cs231n-kelvins-6",
        function="backprop_delta1",
        repo="0Kelvins/cs231n-assignment",
        path="assignment1/cs231n/classifiers/neural_net.py",
        commit="fc0c2c96abaa9af79b740e1667c9bd1ac88f8f1c",
        code="""\
def backprop_delta1(delta2, W1, W2, z1):
    m_scores = np.maximum(0, z1)  # as in the forward pass
    dh = delta2.dot(W2.T)
    dh_ReLu = (m_scores > 0) * dh
    return dh_ReLu
""",
        verdict="wrong",
        mistake="backprop_wrong_transpose",
        why=(
            "It multiplies delta2 by W2.T as for cs231n's (in, out) weights, so with (out, in) "
            "weights it raises ValueError on non-square layers and is wrong on square ones."
        ),
        holdout=True,
    ),
    Snippet(
        id="one_hot-toynn-1",
        function="one_hot",
        repo="wondervictor/Toynn",
        path="utils.py",
        commit="646aac4e00c75d020550140377048d9e95eb9824",
        code="""\
def one_hot(y, n_classes):
    # labels: N (0-num-1)
    new_labels = np.zeros((y.shape[0], n_classes))
    new_labels[range(y.shape[0]), y] = 1

    return new_labels
""",
        verdict="correct",
    ),
    Snippet(
        id="one_hot-sc2-hrl-2",
        function="one_hot",
        repo="ysh9108/sc2-hrl",
        path="common/utils.py",
        commit="6f1f0ecc7cf54b8051617caddec428de846f02ef",
        code="""\
def one_hot(y, n_classes):
    return np.squeeze(np.eye(n_classes)[y.reshape(-1)])
""",
        verdict="wrong",
        mistake="one_hot_squeezes_single_row",
        why=(
            "np.squeeze drops the batch axis, so one_hot(np.array([1]), 4) returns shape (4,) "
            "instead of (1, 4)."
        ),
    ),
    Snippet(
        id="one_hot-holberton-ggirlk-3",
        function="one_hot",
        repo="ggirlk/holbertonschool-machine_learning",
        path="supervised_learning/0x01-classification/24-one_hot_encode.py",
        commit="00a4f74814f49a708616939f8ab4438aebebad9f",
        code=(
            "def one_hot(y, n_classes):\n"
            '    """doc"""\n'
            "    if y is None\\\n"
            "       or type(y) is not np.ndarray\\\n"
            "       or type(n_classes) is not int\\\n"
            "       or len(y) == 0\\\n"
            "       or len(y.shape) != 1:\n"
            "        return None\n"
            "    if n_classes != y.max() + 1:\n"
            "        n_classes = y.max() + 1\n"
            "    return np.eye(n_classes)[y].T\n"
        ),
        verdict="wrong",
        mistake="",
        says="the transpose: rows and columns swapped",
        also=("one_hot_sized_from_labels",),
        why=(
            "It returns the Holberton (classes, m) layout via .T and overwrites n_classes with "
            "y.max() + 1, so one_hot([0, 2, 1], 5) has shape (3, 3) instead of (3, 5)."
        ),
        holdout=True,
    ),
    # adapted: one_hot_encode(Y, classes); loop variable y renamed label
    Snippet(
        id="one_hot-atlas-mokasp-4",
        function="one_hot",
        repo="mokasp/atlas-machine_learning",
        path="supervised_learning/classification/24-one_hot_encode.py",
        commit="196c16b2257d0bb6ceeca03f9b0ae7aedf2b47b9",
        code="""\
def one_hot(y, n_classes):
    encoded = np.zeros((n_classes, len(y)))
    for x, label in enumerate(y):
        encoded[label][x] = 1
    return encoded
""",
        verdict="wrong",
        mistake="one_hot_transposed",
        why=(
            "It fills a (n_classes, len(y)) matrix, the Holberton/Andrew Ng layout, so "
            "one_hot([2, 0, 1, 2], 3) has shape (3, 4) instead of (4, 3)."
        ),
    ),
    # adapted: convert_one_hot_encoding(y): takes no class count; n_classes added, unused
    Snippet(
        id="one_hot-datascience-bonn-5",
        function="one_hot",
        repo="CamiloMorales/DataScience_Bonn",
        path="ToolBox/Helper.py",
        commit="03b5c57e4d6e03bb4c6e33266a4e9bef3eb2477b",
        code="""\
def one_hot(y, n_classes):
    oneHot = np.zeros([y.shape[0], 5])
    for idx, l in enumerate(y):
        oneHot[idx, l] = 1
    return oneHot
""",
        verdict="wrong",
        mistake="one_hot_hardcoded_classes",
        why=(
            "It always builds 5 columns and ignores n_classes, so one_hot([2, 0, 1, 2], 3) has "
            "shape (4, 5) and a label of 5 or more raises IndexError."
        ),
    ),
    # adapted: to_one_hot(labels, dimension=46), Deep Learning with Python listing
    Snippet(
        id="one_hot-dlwp-chollet-6",
        function="one_hot",
        repo="mythicalprogrammer/deeplearningwithpython",
        path="chp3/3_5_3_one_hot_encoding_the_labels.py",
        commit="bb4a87e06e9cb6d21147508e6754ceffa0db7589",
        code="""\
def one_hot(y, n_classes=46):
    results = np.zeros((len(y), n_classes))
    for i, label in enumerate(y):
        results[i, label] = 1.0
    return results
""",
        verdict="correct",
        holdout=True,
    ),
    # adapted: to_categorical(integer_vector): takes no class count; n_classes added, unused
    Snippet(
        id="one_hot-fys-stk4155-7",
        function="one_hot",
        repo="erlend1202/FYS_STK4155_Prosjekt_2",
        path="src/to_categorical.py",
        commit="7683234ea65fb1f147b4663f77a50df71d461669",
        code="""\
def one_hot(y, n_classes):
    n_inputs = len(y)
    n_categories = np.max(y) + 1
    onehot_vector = np.zeros((n_inputs, n_categories))
    onehot_vector[range(n_inputs), y] = 1

    return onehot_vector
""",
        verdict="wrong",
        mistake="one_hot_sized_from_labels",
        why=(
            "It takes the number of columns from y.max() + 1, so one_hot([0, 2, 1], 5) has only 3"
            " columns when the batch lacks the top classes."
        ),
    ),
    Snippet(
        id="one_hot-deep-neural-net-fm-8",
        function="one_hot",
        repo="fmitchell259/Deep_Neural_Net",
        path="one_hot.py",
        commit="5296cd3e1e92e75c79687fdcdbfe0d4fb99b32ba",
        code="""\
def one_hot(y, n_classes):
    onehot = np.zeros((n_classes, y.shape[0]))
    for idx, val in enumerate(y.astype(int)):
        onehot[val, idx] = 1
    return onehot.T
""",
        verdict="correct",
    ),
    # adapted: one_hot(x, k, dtype=np.float32)
    Snippet(
        id="one_hot-mnist-no-autograd-9",
        function="one_hot",
        repo="abarcel/MNIST-classification-without-autograd-libraries",
        path="src/one_hot.py",
        commit="4f550662fdb88c047636bb336bcd46cd13c1a9a2",
        code="""\
def one_hot(y, n_classes, dtype=np.float32):
    return np.array(y[:, None] == np.arange(n_classes), dtype)
""",
        verdict="correct",
    ),
    # adapted: int_to_onehot(y, num_labels), typed in from a book
    Snippet(
        id="one_hot-codelab-p347-10",
        function="one_hot",
        repo="ggankhuy/codelab-scripts-github",
        path="ml/pt/ml-with-pt-and-sk/p347.py",
        commit="455ccd1ab4d386ca3bfaee4a053c24578411063e",
        code="""\
def one_hot(y, n_classes):
    ary = np.zeros((y.shape[0], n_classes))
    for i, val in enumerate(y):
        ary[i, val] = 1
    return any
""",
        verdict="wrong",
        mistake="",
        says="returned a builtin_function_or_method object",
        why=(
            "It builds ary but returns any (a typo), so the caller gets Python's built-in "
            "function any instead of an array."
        ),
    ),
    Snippet(
        id="one_hot-openfl-11",
        function="one_hot",
        repo="brandon-edwards/OpenFederatedLearning",
        path="openfl/data/mnist_utils.py",
        commit="22d999696c2a11ea0acb41b0908a13c3421ce55e",
        code='''\
def one_hot(y, n_classes):
    """One Hot encode a vector

    Args:
        labels (list):  List of labels to onehot encode
        classes (int): Total number of categorical classes

    Returns:
        np.array: Matrix of one-hot encoded labels
    """
    return np.eye(n_classes)[y]
''',
        verdict="correct",
    ),
    # adapted: docstring dropped
    Snippet(
        id="one_hot-nets-arthurdjn-12",
        function="one_hot",
        repo="arthurdjn/nets",
        path="nets/nn/utils.py",
        commit="e4f840957724814d9b7a562f5598a257525f02fa",
        code="""\
def one_hot(y, n_classes):
    batch_size = len(y)
    Y_tilde = np.zeros((batch_size, n_classes))
    Y_tilde[np.arange(batch_size), y] = 1
    return Y_tilde.astype(int)
""",
        verdict="wrong",
        mistake="one_hot_int_dtype",
        why=(
            "It returns Y_tilde.astype(int), an integer array, while the self-check asks for a "
            "float array (dlgrade's check_one_hot_examples rejects dtype int64)."
        ),
        holdout=True,
    ),
    # adapted: Dropout.forward; self.p -> p, self.mask -> local; takes no random source, so rng
    # unused
    Snippet(
        id="dropout-gan-from-scratch-1",
        function="dropout",
        repo="plmrr/gan-from-scratch",
        path="dropout.py",
        commit="894254670e66a2b6ba5bdfbdfd777cd4dd1dc456",
        code="""\
def dropout(x, p, training, rng):
    if training:
        mask = (np.random.rand(*x.shape) > p) / (1 - p)
        return x * mask
    else:
        return x
""",
        verdict="wrong",
        mistake="dropout_global_rng",
        why=(
            "It draws the mask with np.random.rand and ignores rng, so the same Generator seed "
            "does not give the same mask."
        ),
    ),
    # adapted: Dropout.forward(input); self.drop_probability -> p; no training flag, no random
    # source
    Snippet(
        id="dropout-m1-cnn-2",
        function="dropout",
        repo="nilbahaaeddine/M1_CNN",
        path="src/classes/dropout.py",
        commit="011ef05fd69ad2b0832a0b629242c509df7a55a6",
        code="""\
def dropout(x, p, training, rng):
    mask = np.random.binomial(1, p, size=x.shape) / p
    out = x * mask
    return out
""",
        verdict="wrong",
        mistake="dropout_p_is_keep",
        also=("dropout_ignores_training", "dropout_global_rng"),
        why=(
            "It keeps each entry with probability p and scales by 1/p, applies dropout even when "
            "training is False, and draws from np.random instead of rng."
        ),
    ),
    # adapted: dropout(X, keep_prob): keep_prob -> p
    Snippet(
        id="dropout-ailearnnotes-3",
        function="dropout",
        repo="Jackpopc/aiLearnNotes",
        path="computer_vision/dropout.py",
        commit="e287ed0343e658b2747ecc468fd279e41237f225",
        code="""\
def dropout(x, p, training, rng):
    assert 0 < p < 1
    if p == 0:
        return np.zeros(x.shape)
    mask = np.random.uniform(0, 1, x.shape) < p
    return mask * x / p
""",
        verdict="wrong",
        mistake="dropout_p_is_keep",
        also=("dropout_ignores_training", "dropout_global_rng"),
        why=(
            "Its p is d2l's keep_prob (kept with probability p, scaled by 1/p), it has no "
            "evaluation branch, and it draws from np.random instead of rng."
        ),
    ),
    # adapted: Dropout.forward(x, train_flg); dropout_ratio -> p
    Snippet(
        id="dropout-dlfs-u-t100-4",
        function="dropout",
        repo="U-T100/make-DeepLearning-from-zero",
        path="ch06/Dropout.py",
        commit="d07b3ea874a36ac1e57f98f99739c967a716c47a",
        code="""\
def dropout(x, p, training, rng):
    if training:
        mask = np.random.rand(*x.shape) > p
        return mask
    else:
        return x * (1.0 - p)
""",
        verdict="wrong",
        mistake="dropout_returns_mask",
        also=("dropout_no_scaling", "dropout_scales_at_eval", "dropout_global_rng"),
        why=(
            "In training it returns the boolean mask itself instead of x * mask, and at "
            "evaluation it returns x * (1 - p) instead of x."
        ),
    ),
    # adapted: Dropout.forward(x, train_flg) from Deep Learning from Scratch; dropout_ratio -> p
    Snippet(
        id="dropout-dlfs-reatris-5",
        function="dropout",
        repo="Reatris/DeepLearing_Origin",
        path="DeepLearning6/Dropout.py",
        commit="89df49795f3e90431cdd739846f905990cca011f",
        code="""\
def dropout(x, p, training, rng):
    if training:
        mask = np.random.rand(*x.shape) > p
        return x * mask
    else:
        return x * (1 - p)
""",
        verdict="wrong",
        mistake="dropout_no_scaling",
        also=("dropout_scales_at_eval", "dropout_global_rng"),
        why=(
            "It is classic (non-inverted) dropout: kept entries are not scaled by 1/(1-p) during "
            "training and the output is multiplied by (1 - p) at evaluation instead of returning "
            "x."
        ),
        holdout=True,
    ),
    # adapted: Dropout.forward(X, mode): mode == 'train' -> training
    Snippet(
        id="dropout-sendoh-notes-6",
        function="dropout",
        repo="unofficial-sendoh/Official_Page",
        path="a/machine-learning/implement-dropout-layer.md",
        commit="616439e5a4b2a70cdc3200b8179f42ce9d423c7c",
        code="""\
def dropout(x, p, training, rng):
    if training:
        mask = np.random.binomial(1, p, x.shape)
        mask = np.true_divide(mask, p)
        out = mask * x
    else:
        out = x

    return out
""",
        verdict="wrong",
        mistake="dropout_p_is_keep",
        also=("dropout_global_rng",),
        why=(
            "It treats p as the keep probability (binomial(1, p), divided by p), so with p = 0.25"
            " it keeps a quarter of the entries and scales them by 4."
        ),
    ),
    # adapted: dropout_forward(layer, A): layer.np_rng (a numpy Generator) -> rng, layer.d['k']
    # (keep prob) -> p, layer.fs['D'] -> x.shape; cache writes dropped
    Snippet(
        id="dropout-epynn-normal-mask-7",
        function="dropout",
        repo="Synthaze/EpyNN",
        path="nnlibs/dropout/forward.py",
        commit="c5df3d6a97396bafece7c91660a7b7ee5bbdf58d",
        code="""\
def dropout(x, p, training, rng):
    D = rng.standard_normal(x.shape)

    D = D < p

    A = x * D

    A = A / p

    return A
""",
        verdict="wrong",
        mistake="dropout_mask_from_normal",
        also=("dropout_p_is_keep", "dropout_ignores_training"),
        why=(
            "It keeps entries where a standard normal draw is below p, so with p = 0.5 it keeps "
            "about 69% and scales them by 1/p, and it never checks training."
        ),
    ),
    # adapted: dropout_forward(layer, A): layer.np_rng -> rng, layer.d['d'] (drop prob) -> p,
    # layer.fs['D'] -> x.shape; cache writes dropped
    Snippet(
        id="dropout-epynn-uniform-mask-8",
        function="dropout",
        repo="Synthaze/EpyNN",
        path="nnlibs/dropout/forward.py",
        commit="872c670225147dfe0a361991526c31bd7557da24",
        code="""\
def dropout(x, p, training, rng):
    # (2) Generate dropout mask
    D = rng.uniform(0, 1, x.shape)

    # (3) Apply a step function with respect to drop_prob (k)
    D = D > p

    # (4) Drop data points
    A = x * D

    # (5) Scale up signal
    A /= 1 - p

    return A  # To next layer
""",
        verdict="wrong",
        mistake="dropout_ignores_training",
        why=(
            "It applies the mask and the 1/(1-p) scale on every call, so with training=False it "
            "still zeroes entries."
        ),
        holdout=True,
    ),
    # adapted: dropout_forward(x, dropout_param): np.random.seed(seed) + np.random.rand ->
    # rng.random; mode -> training; cache dropped
    Snippet(
        id="dropout-cs231n-2016-anner-9",
        function="dropout",
        repo="Anner-deJong/CS231n_2016",
        path="assignment2/cs231n/layers.py",
        commit="56e0b91f3a037c5af058d7110789c533c8ec3cbb",
        code="""\
def dropout(x, p, training, rng):
    mask = None
    out = None

    if training:
        mask = rng.random(x.shape) > p
        out = np.multiply(mask, x) / (1 - p)
    elif not training:
        out = x

    out = out.astype(x.dtype, copy=False)

    return out
""",
        verdict="correct",
    ),
    # adapted: dropout_forward(x, dropout_param): np.random.seed(seed) + np.random.random ->
    # rng.random; mode -> training; cache dropped
    Snippet(
        id="dropout-cs231n-2017-aksoo-10",
        function="dropout",
        repo="AKSoo/CS231n-2017",
        path="assignment2/cs231n/layers.py",
        commit="1cf6afb9ce19229e2a57b9e7ae3f8faba558fd78",
        code="""\
def dropout(x, p, training, rng):
    mask = None
    pr = 1 - p

    if training:
        mask = (rng.random(x.shape) < pr) / pr
        out = x * mask
    elif not training:
        out = x

    out = out.astype(x.dtype, copy=False)

    return out
""",
        verdict="correct",
    ),
    # adapted: dropout_forward(x, dropout_param) (cs231n 2019: p is the keep probability); seed
    # -> rng; mode -> training; cache dropped
    Snippet(
        id="dropout-cs231n-2019-kelvins-11",
        function="dropout",
        repo="0Kelvins/cs231n-assignment",
        path="assignment2/cs231n/layers.py",
        commit="92ca7c2fa485bb184bcb696eb702a31044047d92",
        code="""\
def dropout(x, p, training, rng):
    mask = None
    out = None

    if training:
        mask = (rng.random(x.shape) < p) / p
        out = x * mask
    elif not training:
        out = x

    out = out.astype(x.dtype, copy=False)

    return out
""",
        verdict="wrong",
        mistake="dropout_p_is_keep",
        why=(
            "It follows cs231n's convention that p is the keep probability, so with p = 0.25 it "
            "keeps a quarter of the entries and scales them by 4."
        ),
    ),
    # adapted: dropout_forward(x, dropout_param); np.random.rand(1, D) -> rng.random((1, D));
    # mode -> training; cache dropped
    Snippet(
        id="dropout-cs231n-2019-0809zheng-12",
        function="dropout",
        repo="0809zheng/CS231n-assignment2019",
        path="assignment2/cs231n/layers.py",
        commit="bfc81c1989e71b4887a9bcd581b273d2faefb90d",
        code="""\
def dropout(x, p, training, rng):
    mask = None
    out = None

    if training:
        mask = np.ones((1, x.shape[1]))
        prop = rng.random((1, x.shape[1]))
        mask[prop < p] = 0
        out = x * mask / p
    elif not training:
        out = x

    out = out.astype(x.dtype, copy=False)
    return out
""",
        verdict="wrong",
        mistake="dropout_scales_by_p",
        also=("dropout_mask_shared_across_rows", "dropout_assumes_2d"),
        why=(
            "It drops with probability p but divides by p instead of 1 - p, draws one mask per "
            "column that every row shares, and raises IndexError on 1-D x."
        ),
    ),
    # adapted: softmax_loss_vectorized: loss += 0.5 * reg * np.sum(W * W); dW += reg*W (dW ->
    # grad, W -> w, reg -> lam)
    Snippet(
        id="l2_grad-cs231n-2016-anner-1",
        function="l2_grad",
        repo="Anner-deJong/CS231n_2016",
        path="assignment1/cs231n/classifiers/softmax.py",
        commit="56e0b91f3a037c5af058d7110789c533c8ec3cbb",
        code="""\
def l2_grad(grad, w, lam):
    grad += lam * w
    return grad
""",
        verdict="correct",
    ),
    # adapted: softmax_loss_vectorized: loss += reg * np.sum(W*W); dW += 2 * reg * W
    Snippet(
        id="l2_grad-cs231n-2017-aksoo-2",
        function="l2_grad",
        repo="AKSoo/CS231n-2017",
        path="assignment1/cs231n/classifiers/softmax.py",
        commit="1cf6afb9ce19229e2a57b9e7ae3f8faba558fd78",
        code="""\
def l2_grad(grad, w, lam):
    grad += 2 * lam * w
    return grad
""",
        verdict="wrong",
        mistake="l2_grad_two_lambda",
        why=(
            "It adds 2 * lam * w, the gradient of lam * ||w||^2 (cs231n's convention), instead of"
            " lam * w."
        ),
    ),
    # adapted: TwoLayerNet.loss: loss += 0.5*self.reg*np.sum(np.square(W1)); dw1 += self.reg*W1
    Snippet(
        id="l2_grad-cs231n-2019-0809zheng-fcnet-3",
        function="l2_grad",
        repo="0809zheng/CS231n-assignment2019",
        path="assignment2/cs231n/classifiers/fc_net.py",
        commit="bfc81c1989e71b4887a9bcd581b273d2faefb90d",
        code="""\
def l2_grad(grad, w, lam):
    grad += lam * w
    return grad
""",
        verdict="correct",
    ),
    # adapted: TwoLayerNet.loss: loss += reg*np.sum(np.square(W1)); dW1 += 2*reg*W1
    Snippet(
        id="l2_grad-cs231n-2019-0809zheng-net-4",
        function="l2_grad",
        repo="0809zheng/CS231n-assignment2019",
        path="assignment1/cs231n/classifiers/neural_net.py",
        commit="8762fdfcb6a477ca9819707c81688b9186732abf",
        code="""\
def l2_grad(grad, w, lam):
    grad += 2 * lam * w
    return grad
""",
        verdict="wrong",
        mistake="l2_grad_two_lambda",
        why=(
            "It adds 2 * lam * w because the loss used reg * sum(W**2) without the 1/2, so the "
            "decay term is twice too large."
        ),
        holdout=True,
    ),
    # adapted: L2.gradient(self, w): self.alpha -> lam; returns only the penalty's gradient
    Snippet(
        id="l2_grad-fakeras-5",
        function="l2_grad",
        repo="SwapnilPande/Fakeras",
        path="Regularizers.py",
        commit="1962f67fd2d84456b969f4236f6562ab544e612f",
        code="""\
def l2_grad(grad, w, lam):
    return lam * w
""",
        verdict="wrong",
        mistake="l2_grad_ignores_grad",
        why=(
            "It returns only the penalty's gradient alpha * w (the caller is meant to add it), so"
            " the data gradient grad is dropped."
        ),
    ),
    # adapted: dl2_reg(W, lam=1e-3)
    Snippet(
        id="l2_grad-q-net-6",
        function="l2_grad",
        repo="Huqicheng/Q-Net",
        path="deeplearning/reg.py",
        commit="25b81326ae2be1f338af89c81652376040d722f4",
        code="""\
def l2_grad(grad, w, lam=1e-3):
    return lam * w
""",
        verdict="wrong",
        mistake="l2_grad_ignores_grad",
        why=(
            "It returns lam * w alone, the regulariser's own gradient, so the data gradient grad "
            "is lost."
        ),
        holdout=True,
    ),
    # adapted: L2Regularization.deriv(self, w): derivative of np.sum(w**2); no lambda at all
    Snippet(
        id="l2_grad-pisciotta-nn-7",
        function="l2_grad",
        repo="GabrielePisciotta/NeuralNetwork",
        path="regularizers/L2.py",
        commit="c1b45d9969ed2040863cc211827ecb7f0bc46606",
        code="""\
def l2_grad(grad, w, lam):
    return 2 * w
""",
        verdict="wrong",
        mistake="l2_grad_derivative_of_squares",
        also=("l2_grad_ignores_lambda", "l2_grad_two_lambda"),
        why="It returns 2 * w, the derivative of sum(w**2), ignoring both grad and lam.",
    ),
    # adapted: L2.function(self, data): self.lambda_value -> lam, data -> w; tabs re-indented;
    # later commits changed it to lambda_value * data
    Snippet(
        id="l2_grad-scratch-network-8",
        function="l2_grad",
        repo="adriaciurana/scratch-network",
        path="network/regularizators/l2.py",
        commit="8f616e0aac7fe3bf7f3548b10eec474b06d246e1",
        code="""\
def l2_grad(grad, w, lam):
    return np.dot(lam * 2, w)
""",
        verdict="wrong",
        mistake="l2_grad_penalty_gradient_only",
        also=("l2_grad_two_lambda",),
        why=(
            "It returns np.dot(lam * 2, w) = 2 * lam * w on its own, so grad is dropped and the "
            "decay is twice too large."
        ),
    ),
)
