"""Hostile names stay text, malformed but signed payloads get a clear answer, bad input is never half-saved.

Slice tests go through the real HTTP server with signed requests (`tests.harness.Harness`); malformed
payloads are built by hand, as a forged or outdated client would send them. Storage-facing checks run on
SQLite and on PostgreSQL (which refuses NUL characters in text that SQLite would store).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.errors import UNEXPECTED_TITLE
from bot.blocks.ids import ActionId, BlockId, CallbackId, encode_meta
from bot.errors import UsageError
from bot.services.campaigns import (
    CampaignFilter,
    add_note,
    list_campaigns,
    load_user_state,
    parse_tags,
    resolve_campaign,
    tag_campaign,
    untag_campaign,
)
from sandbox.slack.appclient import AppReply
from storage.db import make_engine, session_scope
from storage.models import Campaign, Note, Profile, SavedView, Tag
from tests.blocks.markup import HOSTILE, assert_no_injected_markup
from tests.harness import Harness

from .seed import TODAY, add_campaign, add_metric, seed_profiles

NOW = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)
EVIL_NAME = "<!channel> & <@U123> sale"
TEAM, ALICE = "T1", "UALICE"


def _seed(engine: Engine, team: str) -> dict[str, int]:
    """Campaigns with hostile names (as Amazon could send them) under an account with a hostile name."""
    with session_scope(engine) as s:
        profiles = seed_profiles(s, team_id=team, countries=("DE", "US"))
        profiles["DE"].account_name = HOSTILE
        s.add(profiles["DE"])
        evil = add_campaign(s, profiles["DE"], name=EVIL_NAME)
        add_metric(s, evil, profiles["DE"], day=NOW.date() - timedelta(days=1), cost="10.00", sales="40")
        plain = add_campaign(s, profiles["US"], name="Summer launch US")
        twin = add_campaign(s, profiles["US"], name="Summer launch US - broad")
        assert evil.id and plain.id and twin.id
        return {"evil": evil.id, "plain": plain.id, "twin": twin.id}


@pytest.fixture
def h(sqlite_engine: Engine) -> Iterator[Harness]:
    with Harness.start(sqlite_engine, seed=False, clock=lambda: NOW) as harness:
        yield harness


@pytest.fixture
def hdb(engine: Engine) -> Iterator[Harness]:
    """A harness on each database (SQLite and PostgreSQL)."""
    with Harness.start(engine, seed=False, clock=lambda: NOW) as harness:
        yield harness


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Harness]:
    """One seeded app for the malformed-payload tests: each must leave no tag, note or view behind."""
    path = tmp_path_factory.mktemp("input-safety") / "hilal.db"
    shutil.copy(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Harness.start(engine, seed=False, clock=lambda: NOW) as harness:
        _seed(engine, harness.team)
        yield harness
    engine.dispose()


def _ids(h: Harness) -> dict[str, int]:
    with session_scope(h.services.engine, readonly=True) as s:
        return {c.name: c.id for c in s.exec(select(Campaign)) if c.id is not None}


def _nothing_written(h: Harness) -> bool:
    with session_scope(h.services.engine, readonly=True) as s:
        return not (
            s.exec(select(Tag)).all() or s.exec(select(Note)).all() or s.exec(select(SavedView)).all()
        )


# --- what a forged or outdated client sends ------------------------------------------------------------


def _post(h: Harness, payload: dict[str, Any]) -> AppReply:
    return h.slack.post_to_app(urlencode({"payload": json.dumps(payload)}))


def _common(h: Harness) -> dict[str, Any]:
    return {
        "team": {"id": h.team},
        "user": {"id": h.admin},
        "api_app_id": "A0HILAL",
        "trigger_id": h.slack.issue_trigger(team_id=h.team, user_id=h.admin),
    }


def _click(h: Harness, action: dict[str, Any], **override: Any) -> AppReply:
    """A block action on an ephemeral list message (with a response_url, where the answer goes)."""
    url = h.slack.issue_response_url(team_id=h.team, user_id=h.admin, channel_id=h.channel)
    payload = {
        "type": "block_actions",
        **_common(h),
        "container": {"type": "message", "message_ts": "1.1", "channel_id": h.channel, "is_ephemeral": True},
        "channel": {"id": h.channel},
        "response_url": url,
        "actions": [{"block_id": "b", "action_ts": "1.2", **action}],
    }
    payload.update(override)
    return _post(h, payload)


def _submit(h: Harness, callback: CallbackId, values: dict[str, Any], metadata: str | None) -> Any:
    """A view submission; returns the JSON answer (``response_action``/``errors``) or None."""
    view = {"id": "V0FORGED", "type": "modal", "callback_id": callback.value, "state": {"values": values}}
    if metadata is not None:
        view["private_metadata"] = metadata
    reply = _post(h, {"type": "view_submission", **_common(h), "view": view, "response_urls": []})
    assert reply.status == 200, reply
    return reply.json()


def _answered(h: Harness, click: AppReply, before: int) -> str:
    """The one answer the click got on its response_url (text and blocks), after checking it got 200."""
    assert click.status == 200, click
    posts = h.slack.webhook_posts()[before:]
    assert len(posts) == 1, posts
    return json.dumps(posts[0].body, ensure_ascii=False)


def _tags(engine: Engine) -> list[tuple[int, str]]:
    with session_scope(engine, readonly=True) as s:
        return sorted((t.campaign_pk, t.tag) for t in s.exec(select(Tag)))


def _notes(engine: Engine) -> list[str]:
    with session_scope(engine, readonly=True) as s:
        return [n.text for n in s.exec(select(Note))]


# --- escaping, through the real app -----------------------------------------------------------------------


def test_hostile_campaign_and_account_names_stay_text_on_every_campaign_surface(h: Harness) -> None:
    ids = _seed(h.services.engine, h.team)
    h.command("campaigns")
    h.command("regions")
    h.command("digest preview")
    h.command(f'tag "{EVIL_NAME}" r&d')
    h.command(f'note "{EVIL_NAME}" Raised <!here> bids & more')
    h.command(f'untag "{EVIL_NAME}" r&d')
    meta = encode_meta({"op": "details", "id": str(ids["evil"])})
    _click(
        h,
        {
            "type": "overflow",
            "action_id": ActionId.CAMPAIGNS_OVERFLOW.value,
            "selected_option": {"value": meta},
        },
    )
    answers = [post.body for post in h.slack.webhook_posts()]
    texts = json.dumps(answers, ensure_ascii=False)
    assert "Tagged “&lt;!channel&gt; &amp; &lt;@U123&gt; sale” with r&amp;d." in texts
    assert "Added your note to “&lt;!channel&gt; &amp; &lt;@U123&gt; sale”." in texts
    assert "Removed tag r&amp;d" in texts
    details = h.slack.open_views(h.admin)[-1].to_api()
    assert_no_injected_markup([answers, details], allowed=[f"<@{h.admin}>"])  # the note's author


def _details_of(h: Harness, campaign_pk: int) -> None:
    meta = encode_meta({"op": "details", "id": str(campaign_pk)})
    action = {
        "type": "overflow",
        "action_id": ActionId.CAMPAIGNS_OVERFLOW.value,
        "selected_option": {"value": meta},
    }
    _click(h, action)


def test_details_opens_with_the_trigger_first_and_is_filled_in_place(h: Harness) -> None:
    """Slack's trigger lasts 3 s: the modal is opened before anything is read, then updated."""
    ids = _seed(h.services.engine, h.team)
    _details_of(h, ids["plain"])
    [opened] = h.slack.calls("views.open")
    assert opened.ok and "Loading" in json.dumps(opened.args)
    [filled] = h.slack.calls("views.update")
    assert filled.ok and filled.args["view_id"] == opened.response["view"]["id"]
    [details] = h.slack.open_views(h.admin)
    assert "Summer launch US" in json.dumps(details.to_api()) and "Loading" not in json.dumps(
        details.to_api()
    )


def test_details_of_a_removed_campaign_says_so_in_the_modal(h: Harness) -> None:
    ids = _seed(h.services.engine, h.team)
    with session_scope(h.services.engine) as s:
        s.delete(s.get(Campaign, ids["twin"]))
    _details_of(h, ids["twin"])
    [shown] = h.slack.open_views(h.admin)
    text = json.dumps(shown.to_api())
    assert "does not exist" in text and "Loading" not in text


def test_saved_view_replies_escape_the_filter_and_the_name(h: Harness) -> None:
    _seed(h.services.engine, h.team)
    h.command('campaigns tag r&d "<!channel> <@U123>"')
    h.command("view save R&D launch")
    saved = h.last_reply()
    assert saved.text.startswith("Saved view “R&amp;D launch” (personal): ")
    assert "&lt;!channel&gt; &lt;@U123&gt;" in saved.text
    h.command("view R&D launch")
    opened = h.last_reply()
    h.command("view delete R&D launch")
    deleted = h.last_reply()
    assert deleted.text == "Deleted view “R&amp;D launch”."
    for reply in (saved, opened, deleted):
        assert_no_injected_markup({"text": reply.text, "blocks": reply.blocks})


def test_hilals_own_mentions_stay_live_in_refusals(sqlite_engine: Engine) -> None:
    with Harness.start(sqlite_engine, seed=False, clock=lambda: NOW, HILAL_ADMIN_USER_IDS="U0ADMIN") as h:
        h.command("connect eu", user=h.member)
        refusal = h.last_reply()
        h.command("view save Team EU shared")
        h.command("view delete Team EU", user=h.member)
        not_theirs = h.last_reply()
    shown = json.dumps(refusal.blocks) + json.dumps(not_theirs.blocks)
    assert "Hilal admins (<@U0ADMIN>)" in shown  # a live mention, not "&lt;@U0ADMIN&gt;"
    assert "belongs to <@U0ADMIN>" in shown
    for reply in (refusal, not_theirs):
        assert_no_injected_markup({"text": reply.text, "blocks": reply.blocks}, allowed=["<@U0ADMIN>"])


# --- malformed but signed payloads --------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        {
            "type": "overflow",
            "action_id": "campaigns.overflow",
            "selected_option": {"value": '{"op":"tag","id":"abc"}'},
        },
        {
            "type": "overflow",
            "action_id": "campaigns.overflow",
            "selected_option": {"value": '{"op":"x","id":"1"}'},
        },
        {"type": "overflow", "action_id": "campaigns.overflow", "selected_option": "not an option"},
        {"type": "button", "action_id": "campaigns.page_next", "value": "not json"},
        {"type": "button", "action_id": "campaigns.page_next", "value": '{"offset":"20"}'},
        {"type": "button", "action_id": "campaigns.page_next", "value": '{"offset":' + "9" * 30 + "}"},
        {"type": "button", "action_id": "views.open", "value": '{"name":42}'},
        {"type": "multi_static_select", "action_id": "campaigns.filter.tag", "selected_options": "launch"},
        {
            "type": "multi_static_select",
            "action_id": "campaigns.filter.tag",
            "selected_options": [{"value": 42}],
        },
        {"type": "static_select", "action_id": "campaigns.filter.sort", "selected_option": ["spend"]},
    ],
    ids=lambda action: f"{action['action_id']}:{json.dumps(action)[-40:]}",
)
def test_malformed_clicks_answer_clearly_and_change_nothing(shared: Harness, action: dict[str, Any]) -> None:
    h = shared
    h.command("campaigns tag launch")
    before = len(h.slack.webhook_posts())
    answer = _answered(h, _click(h, action), before)
    assert "That request could not be read" in answer and "nothing was changed" in answer
    assert UNEXPECTED_TITLE not in answer
    assert h.slack.open_views(h.admin) == [] and _nothing_written(h)
    with session_scope(h.services.engine, readonly=True) as s:  # the remembered filter is as it was
        assert load_user_state(s, team_id=h.team, user_id=h.admin)[0] == CampaignFilter(tags=("launch",))


def test_a_click_without_trigger_id_is_answered(shared: Harness) -> None:
    before = len(shared.slack.webhook_posts())
    click = _click(
        shared, {"type": "button", "action_id": ActionId.CAMPAIGNS_FILTER_SEARCH.value}, trigger_id=None
    )
    assert "That request could not be read" in _answered(shared, click, before)


def test_which_campaign_chooser_refuses_a_non_numeric_choice(shared: Harness) -> None:
    pending = encode_meta({"op": "tag", "value": "launch", "channel": shared.channel})
    choice = {"type": "static_select", "selected_option": {"value": "1 OR 1=1"}}
    values = {"b": {ActionId.CHOOSE_CAMPAIGN.value: choice}}
    answer = _submit(shared, CallbackId.CHOOSE_CAMPAIGN, values, pending)
    assert answer["response_action"] == "errors"
    assert "could not read" in answer["errors"][BlockId.CHOOSE_CAMPAIGN.value]
    assert _nothing_written(shared)


@pytest.mark.parametrize(
    ("pending", "expected"),
    [
        ({"op": "tag", "value": 42}, "Tags must be text, not a number."),
        ({"op": "note", "value": ["a"]}, "Notes must be text, not a list."),
        ({"op": "note", "value": "a\x00b"}, "Notes can't contain NUL characters"),
        ({"op": "tag", "value": ""}, "Which tag?"),
        ({"op": "drop table", "value": "launch"}, "could not read"),
        ({"value": "launch"}, "could not read"),
    ],
)
def test_which_campaign_chooser_refuses_a_malformed_pending_operation(
    shared: Harness, pending: dict[str, object], expected: str
) -> None:
    choice = {"type": "static_select", "selected_option": {"value": str(_ids(shared)["Summer launch US"])}}
    values = {"b": {ActionId.CHOOSE_CAMPAIGN.value: choice}}
    answer = _submit(shared, CallbackId.CHOOSE_CAMPAIGN, values, encode_meta(pending))
    assert expected in answer["errors"][BlockId.CHOOSE_CAMPAIGN.value]
    assert _nothing_written(shared)


@pytest.mark.parametrize(
    ("removed", "expected"),
    [("bad tag!", "not a valid tag"), (42, "Tags must be text, not a number."), (None, "Tags must be text")],
)
def test_tag_modal_refuses_an_invalid_tag_to_remove_and_adds_nothing(
    shared: Harness, removed: object, expected: str
) -> None:
    values = {
        "add": {ActionId.TAG_ADD.value: {"type": "plain_text_input", "value": "fresh"}},
        "remove": {
            ActionId.TAG_REMOVE.value: {
                "type": "multi_static_select",
                "selected_options": [{"value": removed}],
            }
        },
    }
    meta = encode_meta({"id": str(_ids(shared)["Summer launch US"])})
    answer = _submit(shared, CallbackId.TAG, values, meta)
    assert expected in answer["errors"][BlockId.TAG_REMOVE.value]
    assert _nothing_written(shared)  # "fresh" was not added either


@pytest.mark.parametrize(
    ("callback", "values", "metadata", "block"),
    [
        (CallbackId.TAG, {"a": {"tag.add": {"value": 42}}}, None, BlockId.TAG_ADD),
        (CallbackId.TAG, {"a": {"tag.add": {"value": "fresh"}}}, '{"id":"x1"}', BlockId.TAG_ADD),
        (CallbackId.TAG, {"a": {"tag.add": {"value": "fresh"}}}, "not json", BlockId.TAG_ADD),
        (CallbackId.TAG, {"a": {"tag.add": {"value": "fresh"}}}, '{"id":"999999"}', BlockId.TAG_ADD),
        (CallbackId.NOTE, {"n": {"note.text": {"value": "hello"}}}, None, BlockId.NOTE_TEXT),
        (CallbackId.NOTE, {"n": {"note.text": {"value": "hello"}}}, '["1"]', BlockId.NOTE_TEXT),
        (CallbackId.SEARCH, {"s": {"search.text": {"value": 7}}}, None, BlockId.SEARCH_TEXT),
        (CallbackId.SAVE_VIEW, {"v": {"save_view.name": {"value": ["x"]}}}, None, BlockId.SAVE_VIEW_NAME),
        (
            CallbackId.SAVE_VIEW,
            {"v": {"save_view.shared": {"selected_options": "y"}}},
            None,
            BlockId.SAVE_VIEW_SHARED,
        ),
    ],
)
def test_malformed_modal_submissions_are_answered_in_the_modal(
    shared: Harness, callback: CallbackId, values: dict[str, Any], metadata: str | None, block: BlockId
) -> None:
    answer = _submit(shared, callback, values, metadata)
    assert answer["response_action"] == "errors" and answer["errors"][block.value]
    assert UNEXPECTED_TITLE not in json.dumps(answer)
    assert _nothing_written(shared)


# --- input types and NUL characters, on SQLite and PostgreSQL --------------------------------------------


@pytest.mark.parametrize("text", ["\x00\x00\x00", "Raised bids\x00 for Prime Day"])
def test_a_note_with_nul_characters_is_refused_everywhere(hdb: Harness, text: str) -> None:
    ids = _seed(hdb.services.engine, hdb.team)
    hdb.command(f'note "Summer launch US - broad" {text}')
    reply = hdb.last_reply()
    assert "Notes can't contain NUL characters" in reply.text + json.dumps(reply.blocks)
    meta = encode_meta({"id": str(ids["plain"])})
    answer = _submit(hdb, CallbackId.NOTE, {"n": {ActionId.NOTE_TEXT.value: {"value": text}}}, meta)
    assert "Notes can't contain NUL characters" in answer["errors"][BlockId.NOTE_TEXT.value]
    assert _notes(hdb.services.engine) == []


def test_nul_in_a_campaign_name_or_a_search_never_breaks_the_list(hdb: Harness) -> None:
    _seed(hdb.services.engine, hdb.team)
    hdb.command('tag "Summer\x00" launch')
    assert "Campaign names can't contain NUL characters" in json.dumps(hdb.last_reply().blocks)
    hdb.command('campaigns "Summer\x00 launch"')  # remembered: a broken search would break every later list
    hdb.command("campaigns")
    reply = hdb.last_reply()
    assert "Summer launch US" in json.dumps(reply.blocks, ensure_ascii=False)
    assert UNEXPECTED_TITLE not in reply.text


def test_tags_must_be_text_and_a_refused_call_writes_nothing(engine: Engine) -> None:
    ids = _seed(engine, TEAM)
    for call in (
        lambda s: tag_campaign(
            s, team_id=TEAM, user_id=ALICE, campaign_pk=ids["plain"], tags=cast(Any, ["ok", 42]), now=NOW
        ),
        lambda s: untag_campaign(s, team_id=TEAM, campaign_pk=ids["plain"], tags=cast(Any, [4.2])),
        lambda s: parse_tags(42),
    ):
        # the caller goes on and commits: still nothing was written
        with session_scope(engine) as s, pytest.raises(UsageError, match="Tags must be text"):
            call(s)
    assert _tags(engine) == []
    with session_scope(engine) as s:  # a number typed in a command is text: stored and found as "42"
        assert tag_campaign(
            s, team_id=TEAM, user_id=ALICE, campaign_pk=ids["plain"], tags=parse_tags("42"), now=NOW
        ) == ["42"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\x00", "Notes can't contain NUL characters"),
        ("ok\x00ok", "Notes can't contain NUL characters"),
        ("half \ud800 a pair", "Notes can't contain broken Unicode"),
        (42, "Notes must be text, not a number."),
    ],
)
def test_notes_with_nul_or_not_text_are_refused_and_nothing_is_written(
    engine: Engine, text: object, problem: str
) -> None:
    ids = _seed(engine, TEAM)
    with session_scope(engine) as s:
        with pytest.raises(UsageError, match=problem):
            add_note(s, team_id=TEAM, user_id=ALICE, campaign_pk=ids["plain"], text=text, now=NOW)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="Campaign names can't contain NUL"):
            resolve_campaign(s, team_id=TEAM, text="Summer\x00")
    assert _notes(engine) == []


def test_a_remembered_search_with_nul_lists_campaigns(engine: Engine) -> None:
    _seed(engine, TEAM)
    flt = CampaignFilter.from_json('{"search": "Summer\\u0000 launch", "tags": [42, "ok"]}')
    assert flt.search == "Summer launch" and flt.tags == ("ok",)
    with session_scope(engine, readonly=True) as s:
        page = list_campaigns(
            s, team_id=TEAM, filter=CampaignFilter(search=flt.search), offset=0, limit=10, today=TODAY
        )
        assert {row.name for row in page.rows} == {"Summer launch US", "Summer launch US - broad"}
        assert s.exec(select(Profile)).first() is not None and s.exec(select(Campaign)).first() is not None
