"""The self-check's hidden properties: they run when work is graded, never in a student kit."""

from __future__ import annotations

from math import erf, sqrt

import numpy as np

from graders.checks.core import as_array
from graders.contract import Fail, Property
from graders.sandbox.runner import Rng

from .contracts import dropout

X_LARGE = np.random.default_rng(11).uniform(0.5, 2.0, size=(100, 200))  # std of the rate < 0.004


def drops_a_fraction_p(out: object, x: np.ndarray, p: float, training: bool, rng: Rng) -> None:
    """In training, dropout zeroes a fraction p of the entries, for several p"""
    dropped = float(np.mean(as_array(out, "dropout") == 0))
    if abs(dropped - p) > 0.03:
        # What the known mistakes drop: 1 - p (p taken as the keep probability), or either
        # side of a standard normal draw compared with p.
        below = 0.5 * (1 + erf(p / sqrt(2)))  # P(N(0, 1) < p)
        rates = {
            1 - p: "dropout_p_is_keep",
            below: "dropout_mask_from_normal",
            1 - below: "dropout_mask_from_normal",
        }
        mistake = next((m for rate, m in rates.items() if abs(dropped - rate) <= 0.03), "")
        raise Fail(
            f"with p = {p}, dropout zeroed {dropped:.1%} of the entries; expected about {p:.0%}",
            mistake=mistake,
            counterexample=f"x = a (100, 200) array of values in [0.5, 2]; p = {p}; "
            "training = True",
        )


def uses_given_rng(outs: list[object], cases: tuple[tuple[object, ...], ...]) -> None:
    """dropout draws its mask from the rng it is given, so a seed reproduces it"""
    first, again, other = (np.asarray(o) for o in outs)
    if not np.array_equal(first, again):
        raise Fail(
            "two calls with identically seeded generators gave different masks",
            mistake="dropout_global_rng",
        )
    if np.array_equal(first, other):
        raise Fail(
            "generators with different seeds gave the same mask: is the mask random at all?",
            mistake="dropout_global_rng",
        )


X_RNG = np.ones((20, 30))
dropout_rate = Property(
    dropout,
    drops_a_fraction_p,
    called="drop_rate",
    cases=tuple((X_LARGE, p, True, Rng(11)) for p in (0.2, 0.5, 0.7)),
    visibility="hidden",
)
dropout_rng = Property(
    dropout,
    uses_given_rng,
    cases=((X_RNG, 0.5, True, Rng(5)), (X_RNG, 0.5, True, Rng(5)), (X_RNG, 0.5, True, Rng(6))),
    visibility="hidden",
    joint=True,
)
