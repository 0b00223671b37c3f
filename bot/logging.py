"""Logging set-up: event-name messages, optional JSON output, and a redaction filter.

The filter masks anything that looks like a secret (Amazon `Atza|`/`Atzr|` tokens, Slack `xox?-` tokens,
`Bearer …`, `client_secret=…`, and the query string of any URL — a presigned report URL's signature grants
access for an hour) in messages and `extra` fields, as a last line of defence: code should never log
secrets in the first place. Bolt's messages that quote a request body (a rejected signature, an unhandled
request) keep their first words and lose the body. httpx's per-request lines are DEBUG only.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

__all__ = ["RedactingFilter", "configure_logging", "redact"]

_PATTERNS = [
    re.compile(r"Atz[ar]\|[A-Za-z0-9_\-|.=+/]+"),
    re.compile(r"xox[abpre]-[A-Za-z0-9\-]+"),
    re.compile(r"xapp-[A-Za-z0-9\-]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-|.=+/]+"),
    re.compile(r"(?i)(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"']+"),
    re.compile(
        r"(?i)((?:client_secret|refresh_token|access_token|code_verifier|password)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"
    ),
]
_URL_QUERY = re.compile(r"(https?://[^\s?#\"'<>]+)\?[^\s\"'<>)]+")
_BOLT_BODY_QUOTES = ("Invalid request signature detected", "Unhandled request")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask secrets inside `text`."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return _URL_QUERY.sub(lambda m: m.group(1) + "?[redacted]", text)


def _without_request_body(record: logging.LogRecord) -> None:
    """Bolt quotes whole request bodies in a few messages: keep what happened, drop the body."""
    if not record.name.startswith("slack_bolt"):
        return
    text = record.getMessage()
    for start in _BOLT_BODY_QUOTES:
        if text.startswith(start):
            record.msg, record.args = f"{start} (request body withheld)", None
            return


class RedactingFilter(logging.Filter):
    """Masks secrets in the message, its arguments and string `extra` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        _without_request_body(record)
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        return base + ("  " + " ".join(f"{k}={v}" for k, v in extras.items()) if extras else "")


def configure_logging(level: str = "INFO", *, json_output: bool = False) -> None:
    """Send logs to stderr with redaction; `json_output` for machine-readable lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        _JsonFormatter() if json_output else _TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "alembic", "werkzeug", "waitress", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
