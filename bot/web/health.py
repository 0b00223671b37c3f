"""`/healthz` and `/metrics` (Prometheus text format)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping

from flask import Blueprint, Response
from sqlalchemy.engine import Engine

from storage.db import check_database

__all__ = ["Gauges", "Metrics", "health_blueprint"]

logger = logging.getLogger(__name__)

# Metric name (labels included, without the `hilal_` prefix) → value, read from the database at each scrape.
Gauges = Callable[[], Mapping[str, float]]


class Metrics:
    """Thread-safe counters rendered in the Prometheus text format."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()

    def inc(self, name: str, amount: int = 1, **labels: str) -> None:
        with self._lock:
            self._counts[(name, tuple(sorted(labels.items())))] += amount

    def render(self) -> str:
        with self._lock:
            items = sorted(self._counts.items())
        lines = []
        for (name, labels), value in items:
            label_text = ",".join(f'{k}="{v}"' for k, v in labels)
            lines.append(f"hilal_{name}{{{label_text}}} {value}" if label_text else f"hilal_{name} {value}")
        return "\n".join(lines) + "\n"


def _gauge_lines(gauges: Gauges | None) -> str:
    if gauges is None:
        return ""
    try:
        values = gauges()
    except Exception:  # a scrape must not fail because the database could not be read
        logger.warning("metrics.gauges_unreadable")
        return "hilal_gauges_up 0\n"
    lines = [f"hilal_{name} {value:g}" for name, value in sorted(values.items())]
    return "hilal_gauges_up 1\n" + "\n".join(lines) + "\n"


def health_blueprint(engine: Engine, metrics: Metrics, gauges: Gauges | None = None) -> Blueprint:
    """Routes answering whether the process and its database are alive; `/metrics` adds `gauges`, read
    from the database at each scrape (the schedule's lag and, in a cluster, the queue)."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> Response:
        try:
            check_database(engine)
        except Exception:  # any database failure means "unhealthy", never a stack trace
            return Response('{"status":"unavailable","database":"down"}\n', 503, mimetype="application/json")
        return Response('{"status":"ok","database":"ok"}\n', 200, mimetype="application/json")

    @bp.get("/metrics")
    def metrics_route() -> Response:
        body = metrics.render() + _gauge_lines(gauges)
        return Response(body, 200, mimetype="text/plain; version=0.0.4")

    return bp
