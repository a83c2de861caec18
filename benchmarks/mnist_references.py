"""Train each MNIST reference on the full 60k set; print seconds, test accuracy and targets met."""

import argparse
import importlib
import importlib.util
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Running `python benchmarks/mnist_references.py` puts benchmarks/ on sys.path, not the repo.
sys.path.insert(0, str(ROOT))

from graders.data.mnist import as_float_features, load_mnist  # noqa: E402


class Target(NamedTuple):
    """What a reference must reach: test accuracy in percent, and a training-time budget."""

    module: str
    accuracy: float
    seconds: float
    needs_torch: bool


TARGETS = {
    "mlp": Target("reference.mnist_mlp", 98.0, 30, needs_torch=False),
    "torch": Target("reference.mnist_torch", 97.5, 60, needs_torch=True),
    "cnn": Target("reference.mnist_cnn", 99.0, 240, needs_torch=True),
}


def run(name: str, target: Target, data: tuple[np.ndarray, ...]) -> bool:
    """Train and test one reference, print one line; True if it met its accuracy target."""
    if target.needs_torch and importlib.util.find_spec("torch") is None:
        print(f"{name:>6}: skipped (torch is not installed)")
        return True
    module = importlib.import_module(target.module)
    x_train, y_train, x_test, y_test = data
    losses: list[float] = []

    def report(step: int, loss: float) -> None:
        losses.append(loss)
        print(f"\r{name:>6}: step {step:>5}  loss {loss:.4f}", end="", file=sys.stderr, flush=True)

    start = time.perf_counter()
    model = module.fit(x_train, y_train, report=report)
    seconds = time.perf_counter() - start
    accuracy = 100 * float(np.mean(module.predict(model, x_test) == y_test))
    print("\r", end="", file=sys.stderr)
    met = accuracy >= target.accuracy
    fast = seconds <= target.seconds
    print(
        f"{name:>6}: {seconds:6.1f} s (budget {target.seconds:.0f} s{'' if fast else ', OVER'})"
        f"  test accuracy {accuracy:.2f}% (target {target.accuracy}%: {'met' if met else 'MISSED'})"
        f"  loss {losses[0]:.3f} -> {losses[-1]:.4f} over {len(losses)} reports"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    """Parse the options, load MNIST once, run the chosen references; exit 1 if one misses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "mnist")
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="repeatable")
    args = parser.parse_args(argv)
    mnist = load_mnist(args.data)
    data = (
        as_float_features(mnist.train_images),  # (60000, 784) float32 in [0, 1]
        mnist.train_labels.astype(np.int64),  # (60000,)
        as_float_features(mnist.test_images),  # (10000, 784)
        mnist.test_labels.astype(np.int64),  # (10000,)
    )
    print(f"MNIST from {mnist.source}: {len(data[0])} train, {len(data[2])} test images")
    # Sequential on purpose: two trainings at once would fight over the cores and skew times.
    results = [run(name, TARGETS[name], data) for name in args.only or TARGETS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
