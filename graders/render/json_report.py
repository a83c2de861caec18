"""The report as one JSON document."""

from __future__ import annotations

import json

from graders.render.inert import json_safe
from graders.verdict import Report


def render_json(report: Report) -> str:
    """score, max_score, passed, isolation and questions[{id, title, score, max_score, checks}].

    Every string is valid Unicode (a lone surrogate from the submission becomes U+FFFD) and
    the document is ASCII, so it is valid UTF-8 wherever it is written.
    """
    return json.dumps(json_safe(report.to_dict()), indent=2, sort_keys=False)
