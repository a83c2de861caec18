"""The report as one JSON document."""

from __future__ import annotations

import json

from graders.verdict import Report


def render_json(report: Report) -> str:
    """score, max_score, passed, isolation and questions[{id, title, score, max_score, checks}]."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=False)
