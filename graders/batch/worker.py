"""What a Dask worker does when it starts: clean the slots of gradings that died on its machine.

Imported on the workers only when a batch runs on a cluster (`grade --scheduler`): it needs
Dask. The client registers the plugin with the scheduler, which gives it to every worker,
those that join later included (one its nanny restarted after a crash, a replacement for a
worker that was killed).
"""

from __future__ import annotations

import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from graders.sandbox.slots import Table

LOG = logging.getLogger(__name__)


class SweepSlots(WorkerPlugin):
    """Sweep this machine's slot table when the worker starts (graders.sandbox.slots)."""

    name = "dlgrade-sweep-slots"

    def setup(self, worker: Any) -> None:
        cleaned = Table.here().sweep()
        if cleaned:
            LOG.warning("dlgrade: cleaned slots %s, left by gradings that died here", cleaned)
