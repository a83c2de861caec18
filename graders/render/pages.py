"""HTML pages from autoescaped jinja2 templates shipped with the package (render/templates/).

A page is a template and a view model of plain data. Two rules hold for every value a
template prints, whatever the template says: it is made inert (graders.render.inert: no
control characters, bidi overrides or lone surrogates) and then HTML-escaped (autoescape).
A name missing from the view model is an error, never an empty string (StrictUndefined).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jinja2
from markupsafe import Markup

from graders.render.inert import display_text
from graders.render.plain import capped


def _inert(value: object) -> object:
    """Every string a template prints, made inert; markup the templates made is theirs."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return display_text(value)
    return value


def number(value: object) -> str:
    """A number for people (general format: 2, 0.981, 1e-05); anything else as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}" if math.isfinite(value) else str(value)
    return str(value)


def percent(rate: float | None) -> str:
    """A fraction as a percentage with one decimal, or a dash when undefined."""
    return "—" if rate is None else f"{rate:.1%}"


def score(value: float | None) -> str:
    """A score with at most two decimals, or a dash when undefined."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


@functools.cache
def environment() -> jinja2.Environment:
    """The templates' environment: autoescaped, strict about undefined names, inert output."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("graders.render", "templates"),
        autoescape=jinja2.select_autoescape(("html", "j2"), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        finalize=_inert,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(capped=capped, number=number, percent=percent, score=score)
    return env


def render_page(template: str, **view: Any) -> str:
    """The named template (e.g. "report.html.j2") rendered with the view model `view`."""
    return environment().get_template(template).render(**view)
