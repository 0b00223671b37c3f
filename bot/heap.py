"""Keeping the garbage collector's full passes off what a process builds at start-up.

A full collection walks every tracked object. Most of a Hilal process's objects (modules, SQLAlchemy
and pydantic schemas, settings, pools, the Bolt app) are made at start-up and live as long as the
process, so walking them again and again only adds pauses to requests: measured, a full pass in a
request's path cost 15-130 ms. `freeze_startup_objects` moves them out of the collector's generations
once the process is ready (`gc.freeze`, meant for this), so later passes walk only newer objects.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_objects"]


def freeze_startup_objects() -> int:
    """Collect once, then exempt every object alive now from later collections; how many were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
