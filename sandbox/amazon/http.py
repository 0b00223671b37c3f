"""The simulator's view of HTTP: requests addressed to an emulated host, stamped with simulator time.

The HTTP stack itself (server, `Response`, chunked streaming, `DROP`) is :mod:`sandbox.httpkit`. Here the
first path segment names the emulated host (``/advertising-api.amazon.com/v2/profiles``) and every
request is kept as a `RecordedRequest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.httpkit import DROP, Request, Response

__all__ = ["DROP", "RecordedRequest", "Response", "json_response", "recorded"]


@dataclass(frozen=True)
class RecordedRequest(Request):
    """One request as the simulator received it.

    Attributes:
        host: emulated host (first path segment), e.g. ``advertising-api-eu.amazon.com``.
        at: simulator time of arrival.

    ``path`` is the path on the emulated host (``/v2/profiles``); the rest is as in `Request`.
    """

    host: str
    at: datetime


def recorded(request: Request, at: datetime) -> RecordedRequest:
    """Split the emulated host off ``request``'s path and stamp it with simulator time ``at``."""
    segments = request.path.lstrip("/").split("/", 1)
    path = "/" + (segments[1] if len(segments) > 1 else "")
    return RecordedRequest(
        request.method,
        path,
        request.query,
        request.raw_query,
        request.headers,
        request.body,
        host=segments[0],
        at=at,
    )


def json_response(status: int, payload: Any, *, content_type: str = "application/json") -> Response:
    """A JSON response with the given media type."""
    return Response.json(payload, status=status, content_type=content_type)
