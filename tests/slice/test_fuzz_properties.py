"""Property tests: whatever Slack or a browser sends, Hilal answers 200 with a message or 400/401/403, never
a 5xx, and nothing a member, another team or a malformed request sends changes what managers own.

One running Hilal per test (real HTTP, the stand-ins, SQLite), shared by Hypothesis's examples: each
example is checked against the state before it, so what earlier examples did does not matter.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from bot.blocks.ids import ActionId, CallbackId
from bot.services.connections import save_selection
from bot.services.sync import start_sync
from storage.db import session_scope
from storage.models import Campaign, Profile
from tests.harness import Harness

# `HILAL_FUZZ_EXAMPLES=1000` for a longer attack run (docs/RELIABILITY.md); CI keeps it short.
FUZZ = settings(
    max_examples=int(os.environ.get("HILAL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OTHER_TEAM = "T0OTHER"

WORDS = st.sampled_from(
    [
        "connect",
        "disconnect",
        "regions",
        "marketplaces",
        "sync",
        "campaigns",
        "view",
        "save",
        "delete",
        "list",
        "tag",
        "untag",
        "note",
        "digest",
        "subscribe",
        "unsubscribe",
        "preview",
        "admins",
        "add",
        "remove",
        "help",
        "fe",
        "eu",
        "na",
        "FE",
        "region",
        "state",
        "enabled",
        "at",
        "09:00",
        "Europe/Berlin",
        "#ppc",
        "<@U0MEMBER>",
        "<!channel>",
        "\x00",
        '"',
        "'",
        "+20%",
        "80,50",
        "-1",
        "99999999999999999999",
        "",
    ]
)
COMMAND_TEXT = st.one_of(
    st.lists(WORDS | st.text(max_size=8), max_size=6).map(" ".join), st.text(max_size=60)
)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
JSON = st.recursive(
    LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)
ACTION_IDS = st.sampled_from([a.value for a in ActionId] + ["unknown.action", ""])
META = st.one_of(
    st.text(max_size=30),
    st.fixed_dictionaries(
        {"region": st.sampled_from(["fe", "eu", "xx", ""]) | JSON}, optional={"page": JSON, "id": JSON}
    ).map(json.dumps),
)


def _fingerprint(h: Harness) -> list[Any]:
    """What only managers may change: connections, the saved marketplace selection, admins, digests."""
    queries = (
        "select team_id, region, status, selection_confirmed from connection order by team_id, region",
        "select profile_id, selected from profile order by profile_id",
        "select * from admin_user order by 1",
        "select * from digest_subscription order by 1",
    )
    with session_scope(h.services.engine, readonly=True) as s:
        return [[tuple(row) for row in s.execute(text(q)).all()] for q in queries]


@pytest.fixture
def h(sqlite_engine) -> Iterator[Harness]:
    with Harness.start(sqlite_engine) as harness:
        harness.slack.add_workspace(
            team_id=OTHER_TEAM,
            name="Other Co",
            bot_token="xoxb-other",
            users=[{"id": "U0OTHER", "name": "olga", "is_admin": True, "tz": "Asia/Tokyo"}],
            channels=[{"id": "C0OTHER", "name": "ads"}],
        )
        harness.connect_region("fe")
        with session_scope(harness.services.engine, readonly=True) as s:
            ids = set(s.exec(select(Profile.profile_id)).all())
        conn = save_selection(
            harness.services, team_id=harness.team, region="fe", profile_ids=ids, user_id="U0ADMIN"
        )
        start_sync(harness.services, connection_id=conn, kind="initial")
        yield harness


def _answers(h: Harness) -> int:
    """How many ways Hilal has answered so far: response_url posts, messages, opened or updated views."""
    calls = sum(
        len(h.slack.calls(m)) for m in ("chat.postMessage", "views.open", "views.update", "views.push")
    )
    return len(h.slack.webhook_posts()) + calls


@FUZZ
@given(words=COMMAND_TEXT)
def test_any_command_from_a_member_answers_and_changes_nothing_managers_own(h, words):
    before, answered = _fingerprint(h), _answers(h)
    reply = h.command(words, user=h.member)
    assert reply.status == 200
    assert _answers(h) > answered, f"no answer to {words!r}"
    assert _fingerprint(h) == before


@FUZZ
@given(words=COMMAND_TEXT)
def test_any_command_from_an_admin_answers(h, words):
    answered = _answers(h)
    reply = h.command(words)
    assert reply.status == 200
    assert _answers(h) > answered, f"no answer to {words!r}"


def _payload(h: Harness, kind: str, user: str, team: str, extra: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"type": kind, "team": {"id": team}, "user": {"id": user, "team_id": team}}
    payload.update(extra)
    return payload


ACTION = st.fixed_dictionaries(
    {"action_id": ACTION_IDS, "value": META},
    optional={"selected_option": JSON, "selected_options": JSON, "block_id": st.text(max_size=10)},
)
EXTRA = st.fixed_dictionaries(
    {"actions": st.one_of(st.lists(ACTION, min_size=1, max_size=2), JSON)},
    optional={
        "state": st.one_of(JSON, st.fixed_dictionaries({"values": JSON})),
        "view": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {"callback_id": st.sampled_from([c.value for c in CallbackId] + ["nope"])},
                optional={"private_metadata": META, "state": JSON},
            ),
        ),
        "container": JSON,
        "message": JSON,
        "response_url": st.just("http://127.0.0.1:9/never"),
        "trigger_id": st.text(max_size=10),
    },
)


@FUZZ
@given(
    kind=st.sampled_from(["block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut"]),
    who=st.sampled_from([("U0MEMBER", "T0DEMO"), ("U0OTHER", OTHER_TEAM), ("U0NOBODY", "T0NOPE")]),
    extra=EXTRA,
)
def test_any_interaction_from_a_member_or_stranger_is_answered_and_changes_nothing(h, kind, who, extra):
    before = _fingerprint(h)
    body = "payload=" + quote(json.dumps(_payload(h, kind, who[0], who[1], extra)))
    reply = h.slack.post_to_app(body)
    # Hilal registers no shortcut and no external select: Bolt's 404 for those is Slack's "not ours".
    assert reply.status in ((200, 400) if kind.startswith(("block_actions", "view")) else (200, 400, 404))
    assert _fingerprint(h) == before


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["code", "state", "error", "error_description", "scope", "t"]),
        st.text(max_size=40) | st.sampled_from(["server_error", "access_denied", "x" * 2000]),
        max_size=4,
    ),
    route=st.sampled_from(["/amazon/oauth/callback", "/amazon/oauth/start"]),
)
def test_any_oauth_request_is_answered_without_a_5xx_or_a_connection(h, params, route):
    before = _fingerprint(h)
    page = httpx.get(f"{h.base_url}{route}", params=params, follow_redirects=False)
    assert page.status_code in (200, 302, 400, 403), page.status_code
    for value in params.values():
        if "<" in value:
            assert value not in page.text  # nothing reflected unescaped
    assert _fingerprint(h) == before


def _sent_since(h: Harness, calls: int, posts: int) -> str:
    """Everything Hilal sent to Slack after the given counts, as one string."""
    sent = [c.args for c in h.slack.calls()[calls:]] + [p.body for p in h.slack.webhook_posts()[posts:]]
    return json.dumps(sent, ensure_ascii=False)


@FUZZ
@given(data=st.data())
def test_another_team_never_sees_or_changes_this_teams_campaigns(h, data):
    with session_scope(h.services.engine, readonly=True) as s:
        campaigns = s.exec(select(Campaign.id, Campaign.name)).all()
    pk, _name = data.draw(st.sampled_from(campaigns))
    op = data.draw(st.sampled_from(["details", "tag", "note"]))
    before, calls, posts = _fingerprint(h), len(h.slack.calls()), len(h.slack.webhook_posts())
    annotations = _annotations(h)
    action = {
        "action_id": ActionId.CAMPAIGNS_OVERFLOW.value,
        "selected_option": {"value": json.dumps({"op": op, "id": pk})},
    }
    extra = {
        "actions": [action],
        "trigger_id": "T1",
        "response_url": h.slack.issue_response_url(team_id=OTHER_TEAM, user_id="U0OTHER"),
    }
    h.slack.post_to_app(
        "payload=" + quote(json.dumps(_payload(h, "block_actions", "U0OTHER", OTHER_TEAM, extra)))
    )
    h.command(
        data.draw(st.sampled_from([f"tag {pk} leak", f"note {pk} leak", f"untag {pk} x"])),
        team=OTHER_TEAM,
        user="U0OTHER",
        channel="C0OTHER",
    )
    sent = _sent_since(h, calls, posts)
    assert "not exist" in sent or "not found" in sent.lower()  # the other team was answered, politely
    assert not any(name in sent for _pk, name in campaigns if len(name) > 3)
    assert _fingerprint(h) == before and _annotations(h) == annotations


def _annotations(h: Harness) -> list[Any]:
    with session_scope(h.services.engine, readonly=True) as s:
        return [
            tuple(r)
            for q in ("select * from tag order by 1", "select * from note order by 1")
            for r in s.execute(text(q)).all()
        ]
