"""Pictures of a report's figures data as PNG bytes: matplotlib's Agg canvas, never pyplot.

matplotlib is optional and imported inside the functions, so the grader imports fast without
it; the functions that draw raise ImportError when it is missing. Text that came from a
submission is drawn literally (a "$" never starts mathtext).
"""

from __future__ import annotations

import base64
import io
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure

NAMES = ("loss_curve", "confusion", "misclassified", "boundary")
# Each figure's name, caption and the text that stands for it (an image's alt text).
FIGURES = (
    ("loss_curve", "Training loss", "Training loss reported by the submission against the step"),
    (
        "confusion",
        "Confusion matrix",
        "Confusion matrix: rows are the true labels, columns the predicted labels",
    ),
    (
        "misclassified",
        "Misclassified examples",
        "Misclassified images, each titled with its predicted and true label",
    ),
    (
        "boundary",
        "Decision boundary",
        "The model's predicted class over the plane, with the test points coloured by their "
        "true class and the misclassified ones circled",
    ),
)
# What a platform's results show: the misclassified grid stays in the HTML report.
PLATFORM_FIGURES = ("loss_curve", "confusion", "boundary")
MAX_CLASSES = 100  # larger confusion matrices are refused
MAX_COUNTS_WRITTEN = 30  # counts are written in the cells up to this many classes
MAX_EXAMPLES = 48  # misclassified images drawn, at most
MAX_IMAGE_SIDE = 256  # pixels per side of one misclassified image, at most
COLUMNS = 6  # misclassified images per row
MAX_GRID = 400  # decision boundary grid points per side, at most
MAX_POINTS = 10_000  # test points drawn over the decision boundary, at most
MAX_BOUNDARY_CLASSES = 10  # one colour per class, from matplotlib's tab10
DPI = 100

_LOG = logging.getLogger(__name__)


def _literal(text: object, limit: int = 40) -> str:
    """Text matplotlib draws as written: capped, one line, dollars escaped (no mathtext)."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = f"{flat[: limit - 1]}…"
    return flat.replace("$", r"\$")


def _label(value: object) -> str:
    """A class label as text: integral numbers without a decimal point."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _literal(value, limit=12)


def new_figure(width: float, height: float) -> Figure:
    """A new figure on its own Agg canvas (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure: Figure) -> bytes:
    """The figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _loss(value: object) -> float:
    """One loss as a float; None (JSON null) counts as not finite."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"a loss must be a number, not {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        return math.inf


def loss_curve_png(
    steps: Sequence[float], losses: Sequence[float | None], title: str = "Training loss"
) -> bytes:
    """The training loss against the step, log-scaled when it spans over two decades."""
    xs = [float(step) for step in steps]
    ys = [_loss(loss) for loss in losses]
    if not ys or len(xs) != len(ys):
        raise ValueError(f"need as many steps as losses, and some: {len(xs)} and {len(ys)}")
    if not all(math.isfinite(x) for x in xs):
        raise ValueError("steps must be finite numbers")
    finite = [y for y in ys if math.isfinite(y)]
    gaps = [x for x, y in zip(xs, ys, strict=True) if not math.isfinite(y)]

    figure = new_figure(6.4, 4.0)
    axes = figure.add_subplot()
    drawn = [y if math.isfinite(y) else math.nan for y in ys]
    axes.plot(xs, drawn, color="#1f5fa8", linewidth=1.5, marker="." if len(xs) <= 50 else None)
    if finite and min(finite) > 0 and max(finite) / min(finite) > 100:
        axes.set_yscale("log")
    if gaps:
        axes.plot(
            gaps,
            [0.0] * len(gaps),
            linestyle="none",
            marker="x",
            color="#b00020",
            clip_on=False,
            transform=axes.get_xaxis_transform(),
            label=f"not finite (nan or inf): {len(gaps)}",
        )
        axes.legend(loc="upper right")
    if not finite:
        axes.text(0.5, 0.5, "no finite loss", ha="center", va="center", transform=axes.transAxes)
    axes.set_title(_literal(title, limit=80))
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.grid(True, which="major", alpha=0.3)
    return png_bytes(figure)


def _counts(matrix: object, labels: Sequence[object]) -> np.ndarray:
    """The confusion matrix as a square array of finite, non-negative numbers."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    size = len(labels)
    if counts.shape != (size, size) or size == 0:
        raise ValueError(f"a {size}x{size} matrix is needed for {size} labels, not {counts.shape}")
    if size > MAX_CLASSES:
        raise ValueError(f"too many classes to draw: {size} > {MAX_CLASSES}")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("counts must be finite and non-negative")
    return counts


def confusion_png(matrix: Sequence[Sequence[float]], labels: Sequence[object]) -> bytes:
    """The confusion matrix (rows the true label, columns the predicted one), counts in cells."""
    counts = _counts(matrix, labels)
    size = len(labels)
    names = [_label(label) for label in labels]
    side = min(12.0, max(4.5, 0.45 * size + 2.0))

    figure = new_figure(side + 1.0, side)
    axes = figure.add_subplot()
    top = float(counts.max())
    image = axes.imshow(counts, cmap="Blues", vmin=0, vmax=top or 1.0, interpolation="nearest")
    figure.colorbar(image, ax=axes, shrink=0.8, label="count")
    axes.set_xticks(range(size), labels=names, rotation=90 if size > 12 else 0)
    axes.set_yticks(range(size), labels=names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("Confusion matrix")
    if size <= MAX_COUNTS_WRITTEN:
        fontsize = 9 if size <= 12 else 6
        for row in range(size):
            for column in range(size):
                value = float(counts[row, column])
                text = f"{value:g}" if value.is_integer() else f"{value:.2f}"
                dark = top > 0 and value > top / 2
                axes.text(
                    column,
                    row,
                    text,
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="white" if dark else "black",
                )
    return png_bytes(figure)


def _image(example: Mapping[str, Any]) -> tuple[np.ndarray, float, str]:
    """One misclassified example's pixels, the value of white, and its caption."""
    import numpy as np

    pixels = np.asarray(example["image"], dtype=float)
    if pixels.ndim != 2 or 0 in pixels.shape or max(pixels.shape) > MAX_IMAGE_SIDE:
        raise ValueError(f"an image must be 2-D, at most {MAX_IMAGE_SIDE} a side: {pixels.shape}")
    if not np.all(np.isfinite(pixels)):
        raise ValueError("pixels must be finite")
    white = 255.0 if float(pixels.max()) > 1.0 else 1.0
    caption = f"pred {_label(example['predicted'])} / true {_label(example['true'])}"
    return pixels, white, caption


def misclassified_png(examples: Iterable[Mapping[str, Any]]) -> bytes:
    """A grid of misclassified images in grey, each titled "pred P / true T"."""
    images = [_image(example) for example in list(examples)[:MAX_EXAMPLES]]
    if not images:
        raise ValueError("no misclassified examples to draw")
    columns = min(COLUMNS, len(images))
    rows = math.ceil(len(images) / columns)

    figure = new_figure(1.6 * columns, 1.8 * rows)
    grid = figure.subplots(rows, columns, squeeze=False)
    for index, axes in enumerate(grid.flat):
        axes.set_axis_off()
        if index < len(images):
            pixels, white, caption = images[index]
            axes.imshow(pixels, cmap="gray", vmin=0.0, vmax=white, interpolation="nearest")
            axes.set_title(caption, fontsize=9)
    return png_bytes(figure)


def _boundary(data: Mapping[str, Any]) -> tuple[np.ndarray, ...]:
    """The decision boundary's data, checked: the grid's bounds and labels, and the points."""
    import numpy as np

    x_range, y_range = (np.asarray(data[key], dtype=float) for key in ("x_range", "y_range"))
    bounds = np.concatenate([x_range, y_range])
    if bounds.shape != (4,) or not np.all(np.isfinite(bounds)):
        raise ValueError("the grid's ranges must be two finite [low, high] pairs")
    if not (x_range[0] < x_range[1] and y_range[0] < y_range[1]):
        raise ValueError("each range must run from low to high")
    grid = np.asarray(data["labels"], dtype=float)
    side = int(data["resolution"])
    if grid.shape != (side, side) or not 2 <= side <= MAX_GRID:
        raise ValueError(f"the labels must form a square grid of 2 to {MAX_GRID} a side")
    points = np.asarray(data["points"], dtype=float)
    points = points.reshape(0, 2) if points.size == 0 else points  # no points: [] is (0,)
    true, predicted = (np.asarray(data[key], dtype=float) for key in ("true", "predicted"))
    if points.ndim != 2 or points.shape[1] != 2 or len(points) > MAX_POINTS:
        raise ValueError(f"the points must be (M, 2), at most {MAX_POINTS} of them")
    if true.shape != (len(points),) or predicted.shape != (len(points),):
        raise ValueError("each point needs one true and one predicted label")
    labels = np.concatenate([grid.ravel(), true, predicted])
    if not np.all(np.isfinite(points)) or not np.all(np.isin(labels, range(MAX_BOUNDARY_CLASSES))):
        raise ValueError(f"points must be finite and labels in 0..{MAX_BOUNDARY_CLASSES - 1}")
    return x_range, y_range, grid, points, true, predicted


def boundary_png(data: Mapping[str, Any]) -> bytes:
    """The model's predicted class over the plane, with the test points on top coloured by
    their true class; the points the model gets wrong are circled in black."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D

    x_range, y_range, grid, points, true, predicted = _boundary(data)
    n_classes = int(max(grid.max(), true.max(initial=0), predicted.max(initial=0))) + 1
    colours = ListedColormap(colormaps["tab10"].colors[:n_classes])
    norm = BoundaryNorm(np.arange(n_classes + 1) - 0.5, n_classes)  # class k gets colour k
    xs, ys = np.linspace(*x_range, len(grid)), np.linspace(*y_range, len(grid))
    wrong = true != predicted

    figure = new_figure(6.0, 5.0)
    axes = figure.add_subplot()
    axes.pcolormesh(xs, ys, grid, cmap=colours, norm=norm, alpha=0.25, shading="nearest")
    axes.scatter(points[:, 0], points[:, 1], c=true, cmap=colours, norm=norm, s=10)
    axes.scatter(*points[wrong].T, s=40, facecolors="none", edgecolors="black", linewidths=0.8)
    dot = {"marker": "o", "linestyle": "none"}
    handles = [
        Line2D([], [], color=colours(k), label=f"class {k}", **dot) for k in range(n_classes)
    ]
    circled = f"misclassified: {int(wrong.sum())}"
    handles.append(Line2D([], [], mfc="none", mec="black", label=circled, **dot))
    axes.legend(handles=handles, loc="upper right", fontsize=8)
    axes.set_xlim(*x_range)
    axes.set_ylim(*y_range)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.set_title("Decision boundary (shading: predicted class; dots: test points)")
    return png_bytes(figure)


def _draw(name: str, data: object) -> bytes:
    """One named figure's PNG (errors for malformed data)."""
    if name == "loss_curve":
        if not isinstance(data, Mapping):
            raise TypeError("loss_curve must be a mapping")
        return loss_curve_png(data["steps"], data["losses"])
    if name == "confusion":
        if not isinstance(data, Mapping):
            raise TypeError("confusion must be a mapping")
        return confusion_png(data["matrix"], data["labels"])
    if name == "boundary":
        if not isinstance(data, Mapping):
            raise TypeError("boundary must be a mapping")
        return boundary_png(data)
    if not isinstance(data, Sequence) or isinstance(data, (str, bytes)):
        raise TypeError("misclassified must be a list")
    return misclassified_png([example for example in data[:MAX_EXAMPLES] if _drawable(example)])


def _drawable(example: object) -> bool:
    """Whether one misclassified example is well formed (the malformed ones are left out)."""
    try:
        _image(example)  # type: ignore[arg-type]
    except Exception as error:
        _LOG.debug("misclassified example left out: %r", error)
        return False
    return True


def _drawn(name: str, data: object) -> bytes | None:
    """One named figure's PNG, or None when its data is malformed."""
    try:
        return _draw(name, data)
    except ImportError:
        raise
    except Exception as error:  # malformed data from a submission: leave that figure out
        _LOG.debug("figure %s left out: %r", name, error)
        return None


def figure_pngs(figures: object) -> dict[str, bytes]:
    """PNGs of the loss curve, confusion matrix, misclassified images and decision boundary
    that exist and draw."""
    if not isinstance(figures, Mapping):
        return {}
    present = [name for name in NAMES if figures.get(name) is not None]
    if present:
        import matplotlib  # noqa: F401  (ImportError here: matplotlib is missing)
    pngs = {name: _drawn(name, figures[name]) for name in present}
    return {name: png for name, png in pngs.items() if png is not None}


def write_pngs(figures: object, folder: Path) -> list[Path]:
    """Write loss_curve.png, confusion.png, misclassified.png and boundary.png (those that
    draw) to folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, png in figure_pngs(figures).items():
        path = folder / f"{name}.png"
        path.write_bytes(png)
        paths.append(path)
    return paths


def data_url(png: bytes) -> str:
    """A PNG as a data URL (RFC 2397), for an <img> or a platform's image field."""
    return f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}"


@dataclass(frozen=True)
class Picture:
    """One drawn figure, ready for a page or a platform: its caption, alt text and data URL."""

    name: str
    caption: str
    alt: str
    url: str


def pictures(
    figures: object, names: Sequence[str] = PLATFORM_FIGURES, budget: int = 600_000
) -> list[Picture]:
    """The named figures that draw, in FIGURES order, as data URLs of at most `budget`
    characters in all (a platform caps the size of its results); none without matplotlib."""
    if not isinstance(figures, Mapping):
        return []
    try:
        pngs = figure_pngs({name: figures[name] for name in names if name in figures})
    except ImportError:  # matplotlib is not installed here
        return []
    drawn = []
    for name, caption, alt in FIGURES:
        if name in pngs:
            url = data_url(pngs[name])
            if len(url) <= budget:
                drawn.append(Picture(name, caption, alt, url))
                budget -= len(url)
    return drawn
