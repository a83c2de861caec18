"""Hypothesis strategies that cost nothing until inputs are drawn.

Importing hypothesis takes a grader 0.1 to 0.2 s, more than grading a correct self-check
from banked inputs does, and a grader needs it only to draw a check's inputs the first
time or to shrink a failure (graders.checks.prove). Contracts therefore name their inputs
through `st` and `hnp` from this module, written exactly as with hypothesis:

    from graders.strategies import hnp, st

    st.integers(1, 6).map(lambda k: k / 4)
    hnp.arrays(np.float64, (n, d), elements=st.floats(-1, 1))

    @st.composite
    def pairs(draw):
        n = draw(st.integers(1, 5))
        ...

Each call is recorded as a `Deferred` (its repr spells the call, so drawn inputs can be
banked under it) and replayed on hypothesis by `build` when a strategy is first needed.
Once hypothesis is imported there is nothing left to defer, and calls go straight to it:
a composite's body runs only while hypothesis draws, hundreds of times in a shrink. A
contract that imports hypothesis itself still works: `build` passes real strategies through.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

MODULES = {"st": "hypothesis.strategies", "hnp": "hypothesis.extra.numpy"}
Draw = Callable[..., Any]  # a composite's draw(strategy): hypothesis's st.DrawFn


@dataclass(frozen=True, eq=False)
class Deferred:
    """A hypothesis strategy as the call that makes it: `module.name(*args, **kwargs)`,
    then each of `chain`'s methods (.map, .filter, .flatmap) in order."""

    module: str  # "st" or "hnp": a key of MODULES
    name: str  # "integers"; "composite" for a drawing function, which is then args[0]
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    chain: tuple[tuple[str, Callable[..., Any]], ...] = ()

    def map(self, function: Callable[[Any], Any]) -> Deferred:
        return replace(self, chain=(*self.chain, ("map", function)))

    def filter(self, condition: Callable[[Any], bool]) -> Deferred:
        return replace(self, chain=(*self.chain, ("filter", condition)))

    def flatmap(self, expand: Callable[[Any], Any]) -> Deferred:
        # expand returns a strategy, possibly a Deferred one: build it when it is drawn from
        return replace(self, chain=(*self.chain, ("flatmap", lambda value: build(expand(value)))))

    @functools.cached_property
    def built(self) -> SearchStrategy[Any]:
        """The hypothesis strategy itself (imports hypothesis on first use)."""
        module = importlib.import_module(MODULES[self.module])
        if self.name == "composite":
            drawing, *args = self.args
            strategy = module.composite(deferring(drawing))(*args, **dict(self.kwargs))
        else:
            make = getattr(module, self.name, None)
            if make is None:
                raise AttributeError(
                    f"{self.module}.{self.name} is not a strategy: {MODULES[self.module]} has no "
                    f"{self.name!r} (check the spelling in the contract's inputs)"
                )
            strategy = make(*built_all(self.args), **built_all(dict(self.kwargs)))
        for method, function in self.chain:
            strategy = getattr(strategy, method)(function)
        return strategy

    def __repr__(self) -> str:
        shown = [spell(a) for a in self.args] + [f"{k}={spell(v)}" for k, v in self.kwargs]
        return f"{self.module}.{self.name}({', '.join(shown)})" + "".join(
            f".{method}({spell(function)})" for method, function in self.chain
        )


def build(strategy: Any) -> Any:
    """The hypothesis strategy for `strategy`, Deferred or already hypothesis's own."""
    return strategy.built if isinstance(strategy, Deferred) else strategy


def built_all(value: Any) -> Any:
    """`value` with every Deferred inside a tuple, list or dict built (st.tuples' arguments,
    hnp.arrays' elements=...)."""
    if isinstance(value, Deferred):
        return value.built
    if isinstance(value, (tuple, list)):
        return type(value)(built_all(v) for v in value)
    if isinstance(value, dict):
        return {k: built_all(v) for k, v in value.items()}
    return value


def deferring(drawing: Callable[..., Any]) -> Callable[..., Any]:
    """A composite's drawing function, given a `draw` that also accepts Deferred strategies."""

    @functools.wraps(drawing)
    def composite(draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return drawing(lambda strategy, label=None: draw(build(strategy), label), *args, **kwargs)

    return composite


def spell(value: Any) -> str:
    """A repr that is the same in every process: functions by qualified name, not address."""
    if callable(value) and hasattr(value, "__qualname__") and not isinstance(value, type):
        return value.__qualname__
    return repr(value)


class Namespace:
    """`st` or `hnp`: every public name is a function recording its call as a Deferred."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        if (loaded := sys.modules.get(MODULES[self._module])) is not None:
            return getattr(loaded, name)
        return functools.partial(record, self._module, name)

    def composite(self, drawing: Callable[..., Any]) -> Callable[..., Any]:
        """`@st.composite`: calling the decorated function records the call."""
        if (loaded := sys.modules.get(MODULES[self._module])) is not None:
            return loaded.composite(drawing)

        @functools.wraps(drawing)
        def strategy(*args: Any, **kwargs: Any) -> Deferred:
            return record(self._module, "composite", drawing, *args, **kwargs)

        return strategy


def record(module: str, name: str, *args: Any, **kwargs: Any) -> Deferred:
    return Deferred(module, name, args, tuple(kwargs.items()))


st = Namespace("st")
hnp = Namespace("hnp")
