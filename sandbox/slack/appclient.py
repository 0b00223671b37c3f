"""Signed requests from the stand-in to the app, the way Slack sends them (reference §2.9).

``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=hmac_sha256(secret, "v0:{ts}:{body}")``,
generated with ``slack_sdk.signature.SignatureVerifier`` so the app's verifier agrees by construction.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, NamedTuple

from slack_sdk.signature import SignatureVerifier

from sandbox.slack.clock import Clock

__all__ = ["AppLink", "AppReply", "RawReply"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class AppReply(NamedTuple):
    """The app's HTTP answer: ``status, body, response_url = reply``."""

    status: int
    body: str
    response_url: str | None = None

    def json(self) -> Any:
        """The body parsed as JSON (None for an empty body)."""
        return json.loads(self.body) if self.body.strip() else None


@dataclass(frozen=True)
class RawReply:
    """A reply plus how long the app took (wall-clock seconds)."""

    status: int
    body: str
    elapsed: float
    content_type: str = ""


class AppLink:
    """Where and how to reach the app: its Request URL and signing secret."""

    def __init__(
        self,
        request_url: str,
        signing_secret: str,
        *,
        clock: Clock,
        timeout: float,
        options_url: str | None = None,
    ) -> None:
        self.request_url = request_url
        self.options_url = options_url or request_url
        self._verifier = SignatureVerifier(signing_secret)
        self._clock = clock
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"AppLink(request_url={self.request_url!r}, signing_secret='***')"

    def signed_headers(self, body: str, *, content_type: str, timestamp: int | None = None) -> dict[str, str]:
        """Headers Slack would send with ``body``."""
        ts = str(int(self._clock.now()) if timestamp is None else timestamp)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=ts, body=body) or "",
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    def post(
        self,
        body: str,
        *,
        content_type: str,
        url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> RawReply:
        """POST ``body`` signed; HTTP errors come back as replies, connection failures as status 0."""
        all_headers = self.signed_headers(body, content_type=content_type)
        all_headers.update(headers or {})
        request = urllib.request.Request(  # noqa: S310 - the app's configured http(s) Request URL
            url or self.request_url, data=body.encode("utf-8"), headers=all_headers, method="POST"
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - loopback app
                text = response.read().decode("utf-8", "replace")
                kind = response.headers.get("Content-Type", "")
                return RawReply(response.status, text, time.monotonic() - started, kind)
        except urllib.error.HTTPError as exc:
            with exc:
                text = exc.read().decode("utf-8", "replace")
                return RawReply(
                    exc.code, text, time.monotonic() - started, exc.headers.get("Content-Type", "")
                )
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            return RawReply(0, f"connection failed: {reason}", time.monotonic() - started)
