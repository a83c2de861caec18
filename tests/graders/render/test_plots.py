"""PNG pictures of a report's figures data: loss curve, confusion matrix, misclassified images."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from graders.render import plots

pytest.importorskip("matplotlib")

PNG = b"\x89PNG\r\n\x1a\n"


def digits_confusion() -> dict:
    matrix = [
        [(90 if row == column else row + column) for column in range(10)] for row in range(10)
    ]
    return {"labels": list(range(10)), "matrix": matrix}


def examples(count: int, side: int = 8, scale: float = 1.0) -> list[dict]:
    image = [[scale * ((x + y) % side) / side for x in range(side)] for y in range(side)]
    return [{"image": image, "predicted": i % 10, "true": (i + 1) % 10} for i in range(count)]


def all_figures() -> dict:
    return {
        "loss_curve": {
            "steps": list(range(0, 200, 10)),
            "losses": [2.0 / (1 + i) for i in range(20)],
        },
        "confusion": digits_confusion(),
        "misclassified": examples(7, side=28),
    }


def test_loss_curve_is_a_png():
    assert plots.loss_curve_png([0, 1, 2, 3], [2.3, 1.2, 0.7, 0.5]).startswith(PNG)


@pytest.mark.parametrize("losses", [[1000.0, 10.0, 0.1, 0.001], [1.0, -0.5, 0.0, 0.25]])
def test_loss_curve_linear_or_log_scale(losses):
    assert plots.loss_curve_png(range(len(losses)), losses, title="x").startswith(PNG)


@pytest.mark.parametrize(
    "losses",
    [
        [2.0, math.nan, 1.0, math.inf, 0.5, -math.inf],
        [2.0, None, 0.01, 0.0001],  # JSON null is a gap too
        [math.nan, math.nan, math.inf],  # nothing finite at all
        [10**400, 1.0, 0.5],  # an int too large for a float
    ],
)
def test_non_finite_losses_are_gaps_not_crashes(losses):
    assert plots.loss_curve_png(range(len(losses)), losses).startswith(PNG)


def test_loss_curve_refuses_mismatched_or_empty_data():
    with pytest.raises(ValueError, match="as many steps"):
        plots.loss_curve_png([0, 1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match="as many steps"):
        plots.loss_curve_png([], [])


def test_confusion_is_a_png():
    data = digits_confusion()
    assert plots.confusion_png(data["matrix"], data["labels"]).startswith(PNG)


def test_confusion_of_zeros_and_of_fractions():
    assert plots.confusion_png([[0, 0], [0, 0]], ["cat", "dog"]).startswith(PNG)
    assert plots.confusion_png([[0.75, 0.25], [0.1, 0.9]], [0, 1]).startswith(PNG)


def test_labels_are_drawn_literally_never_as_mathtext():
    hostile = [r"$\frac$", "$$", r"a$\notacommand{$b"]
    matrix = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert plots.confusion_png(matrix, hostile).startswith(PNG)
    bad = [{"image": [[0, 1], [1, 0]], "predicted": r"$\frac$", "true": "$x^$"}]
    assert plots.misclassified_png(bad).startswith(PNG)
    assert plots.loss_curve_png([0, 1], [1.0, 0.5], title=r"$\undefined{$").startswith(PNG)


def test_confusion_refuses_a_matrix_that_does_not_fit_the_labels():
    with pytest.raises(ValueError, match="3x3 matrix"):
        plots.confusion_png([[1, 2], [3, 4]], [0, 1, 2])
    with pytest.raises(ValueError, match="non-negative"):
        plots.confusion_png([[1, -2], [3, 4]], [0, 1])


@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_misclassified_is_a_png_for_unit_and_byte_pixels(scale):
    assert plots.misclassified_png(examples(24, scale=scale)).startswith(PNG)


def test_misclassified_single_example():
    assert plots.misclassified_png(examples(1, side=28)).startswith(PNG)


def test_misclassified_refuses_no_examples_and_non_2d_images():
    with pytest.raises(ValueError, match="no misclassified"):
        plots.misclassified_png([])
    with pytest.raises(ValueError, match="2-D"):
        plots.misclassified_png([{"image": [1, 2, 3], "predicted": 1, "true": 2}])


def test_figure_pngs_draws_every_figure_present():
    pngs = plots.figure_pngs(all_figures())
    assert set(pngs) == {"loss_curve", "confusion", "misclassified"}
    assert all(png.startswith(PNG) for png in pngs.values())


def test_figure_pngs_skips_missing_figures():
    assert plots.figure_pngs({}) == {}
    assert plots.figure_pngs({"unknown": [1, 2]}) == {}
    only = plots.figure_pngs({"confusion": digits_confusion()})
    assert set(only) == {"confusion"}


@pytest.mark.parametrize(
    "figures",
    [
        {"loss_curve": [1, 2, 3]},
        {"loss_curve": {"steps": [0, 1]}},
        {"loss_curve": {"steps": [0, 1], "losses": [1.0]}},
        {"loss_curve": {"steps": [0, "x"], "losses": [1.0, 2.0]}},
        {"loss_curve": {"steps": [0, 1], "losses": [1.0, {"a": 1}]}},
        {"loss_curve": {"steps": None, "losses": None}},
        {"confusion": {"labels": [0, 1]}},
        {"confusion": {"labels": [0, 1], "matrix": [[1, 2, 3]]}},
        {"confusion": {"labels": [0, 1], "matrix": [[1, "a"], [2, 3]]}},
        {"confusion": {"labels": [0, 1], "matrix": [[1, math.nan], [2, 3]]}},
        {"confusion": "nope"},
        {"misclassified": "nope"},
        {"misclassified": []},
        {"misclassified": [{"image": [[0.1]]}]},
        {"misclassified": [{"image": [[[0.1]]], "predicted": 1, "true": 2}]},
        {"misclassified": [{"image": [[0.1, 0.2], [0.3]], "predicted": 1, "true": 2}]},
        {"misclassified": [{"image": [[0] * 1000] * 1000, "predicted": 1, "true": 2}]},
        {"misclassified": [None, 3, "x"]},
    ],
)
def test_figure_pngs_skips_malformed_entries(figures):
    assert plots.figure_pngs(figures) == {}


def test_figure_pngs_keeps_the_good_figures_beside_malformed_ones():
    figures = {"loss_curve": {"steps": "bad"}, "confusion": digits_confusion()}
    assert set(plots.figure_pngs(figures)) == {"confusion"}


def test_figure_pngs_leaves_out_malformed_examples_only():
    mixed = [{"image": "bad"}, *examples(3), {"image": [[1]], "predicted": 1}]
    assert set(plots.figure_pngs({"misclassified": mixed})) == {"misclassified"}


@pytest.mark.parametrize("figures", [None, [], "figures", 3])
def test_figure_pngs_of_something_not_a_dict_is_empty(figures):
    assert plots.figure_pngs(figures) == {}


def test_write_pngs_writes_files(tmp_path):
    folder = tmp_path / "figures"
    paths = plots.write_pngs(all_figures(), folder)
    names = sorted(path.name for path in paths)
    assert names == ["confusion.png", "loss_curve.png", "misclassified.png"]
    for path in paths:
        assert path.parent == folder
        assert path.read_bytes().startswith(PNG)


def test_write_pngs_writes_only_what_draws(tmp_path):
    paths = plots.write_pngs({"confusion": digits_confusion(), "loss_curve": "bad"}, tmp_path)
    assert [path.name for path in paths] == ["confusion.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["confusion.png"]


def test_figure_pngs_needs_no_pyplot():
    code = (
        "import sys\n"
        "from graders.render.plots import figure_pngs\n"
        "pngs = figure_pngs({'confusion': {'labels': [0, 1], 'matrix': [[1, 0], [0, 1]]}})\n"
        "assert set(pngs) == {'confusion'}, pngs\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_renderers_does_not_import_matplotlib():
    code = (
        "import sys\n"
        "import graders.render.html, graders.render.plots\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


# -- the decision boundary of a 2-D model ------------------------------------------------------


def boundary(side: int = 20) -> dict:
    """Two classes split by the circle x^2 + y^2 = 1 on a side x side grid over [-2, 2]^2,
    with three points, the last of them misclassified."""
    steps = [-2 + 4 * i / (side - 1) for i in range(side)]
    labels = [[int(x * x + y * y < 1) for x in steps] for y in steps]
    points = [[0.0, 0.0], [1.5, 1.5], [0.2, -0.1]]
    return {
        "x_range": [-2.0, 2.0],
        "y_range": [-2.0, 2.0],
        "resolution": side,
        "labels": labels,
        "points": points,
        "true": [1, 0, 0],
        "predicted": [1, 0, 1],
    }


def test_boundary_is_a_png():
    assert plots.boundary_png(boundary()).startswith(PNG)


def test_boundary_of_one_class_and_of_no_points():
    data = {**boundary(), "labels": [[0] * 20] * 20, "points": [], "true": [], "predicted": []}
    assert plots.boundary_png(data).startswith(PNG)


def test_figure_pngs_draws_the_boundary_next_to_the_others(tmp_path):
    pngs = plots.figure_pngs({**all_figures(), "boundary": boundary()})
    assert set(pngs) == {"loss_curve", "confusion", "misclassified", "boundary"}
    paths = plots.write_pngs({"boundary": boundary()}, tmp_path)
    assert [path.name for path in paths] == ["boundary.png"]


@pytest.mark.parametrize(
    "change",
    [
        {"x_range": [2.0, -2.0]},  # runs backwards
        {"y_range": [0.0, math.inf]},
        {"x_range": [0.0]},
        {"resolution": 21},  # does not match the labels
        {"labels": [[0, 1]] * 20},
        {"labels": [[0.5] * 20] * 20},  # not a class
        {"labels": [[11] * 20] * 20},  # more classes than colours
        {"resolution": 1000, "labels": [[0] * 1000] * 1000},  # too large to draw
        {"points": [[0.0, 0.0, 0.0]] * 3},
        {"points": [[0.0, math.nan]] * 3},
        {"true": [1, 0]},
        {"predicted": ["a", "b", "c"]},
        {"labels": "nope"},
    ],
)
def test_figure_pngs_leaves_out_a_malformed_boundary(change):
    assert plots.figure_pngs({"boundary": {**boundary(), **change}}) == {}
    assert plots.figure_pngs({"boundary": "nope"}) == {}
