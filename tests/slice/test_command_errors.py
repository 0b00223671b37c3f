"""A wrong command is answered with the reason, one example and a pointer to help — not the whole table."""

from __future__ import annotations

import json

import pytest

from bot.blocks.limits import check_message
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine) as harness:
        yield harness


def _answer(h: Harness, text: str) -> str:
    h.command(text)
    reply = h.last_reply()
    assert check_message({"text": reply.text, "blocks": reply.blocks}) == []
    assert "Hilal commands" not in json.dumps(reply.blocks)  # not the 30-line table
    return reply.text


def test_a_malformed_command_gives_the_reason_and_one_example(h):
    text = _answer(h, "connect")
    assert "region" in text.lower() and "/hilal connect" in text and "/hilal help" in text


def test_a_hint_with_its_own_example_is_not_followed_by_a_second(h):
    text = _answer(h, "view save <bad>")
    assert text.count("/hilal view save") == 1


def test_an_unknown_command_suggests_the_closest_one(h):
    text = _answer(h, "campains")
    assert "Unknown command: `campains`" in text and "Did you mean `campaigns`?" in text


def test_help_still_shows_the_table(h):
    h.command("help")
    assert "Hilal commands" in json.dumps(h.last_reply().blocks)


def test_user_text_in_a_command_problem_cannot_ping_the_channel(h):
    text = _answer(h, "<!channel>")
    assert "<!channel>" not in text


def test_slacks_escaped_ampersand_in_command_text_is_read_as_typed(h):
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import SavedView

    h.command('view save "R&amp;D top"')  # what Slack sends for: view save "R&D top"
    with session_scope(h.services.engine, readonly=True) as s:
        names = [v.name for v in s.exec(select(SavedView)).all()]
    assert names == ["R&D top"], h.last_reply().text
