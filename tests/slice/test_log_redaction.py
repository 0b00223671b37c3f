"""What Hilal logs never carries a presigned download URL's query string, a secret, or a request body."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.logging import RedactingFilter, configure_logging
from bot.services.connections import save_selection
from bot.services.sync import start_sync
from storage.db import session_scope
from storage.models import Profile
from tests.harness import Harness


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Hilal's own logging set-up at DEBUG, its one handler writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "werkzeug")}
    configure_logging("DEBUG")
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


SIGNED_VALUE = re.compile(r"X-Amz-(Signature|Credential)=(?!\[redacted\])")


def test_a_sync_logs_no_download_url_query(sqlite_engine, logs):
    with Harness.start(sqlite_engine) as h:
        h.connect_region("fe")
        with session_scope(h.services.engine, readonly=True) as s:
            ids = set(s.exec(select(Profile.profile_id)).all())
        connection_id = save_selection(
            h.services, team_id=h.team, region="fe", profile_ids=ids, user_id=h.admin
        )
        start_sync(h.services, connection_id=connection_id, kind="initial")
        downloads = [r for r in h.sim.requests if "X-Amz-Signature" in r.raw_query]
    err = logs.getvalue()
    assert downloads, "the sync downloaded at least one report through a presigned URL"
    assert "amazon.report.created" in err  # the sync was logged at all
    assert not SIGNED_VALUE.search(err)
    assert "Atzr|" not in err and "Atza|" not in err


def test_an_unhandled_event_is_logged_without_its_body(sqlite_engine, logs):
    with Harness.start(sqlite_engine) as h:
        payload = {
            "type": "event_callback",
            "team_id": h.team,
            "event": {"type": "reaction_added", "user": h.admin, "reaction": "marker-7f3a"},
        }
        reply = h.slack.post_to_app(json.dumps(payload), content_type="application/json")
    assert reply.status == 404
    err = logs.getvalue()
    assert "Unhandled request (request body withheld)" in err
    assert "marker-7f3a" not in err


def test_bolts_rejected_signature_message_loses_the_body():
    record = logging.LogRecord(
        "slack_bolt.RequestVerification",
        logging.INFO,
        __file__,
        1,
        "Invalid request signature detected (signature: v0=abc, timestamp: 1, body: text=secret)",
        None,
        None,
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "Invalid request signature detected (request body withheld)"
