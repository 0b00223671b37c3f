"""Request plumbing: the ids every listener reads, the unit of work a request commits once (or rolls back),
and manager-only listeners, which refuse members by saying who can and never run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt import Ack
from sqlmodel import select

from bot.errors import NotAllowed
from bot.listeners.context import UNIT, RequestIds, UnitOfWork, unit_of_work
from bot.listeners.registry import answered
from storage.db import session_scope
from storage.models import AdminUser

TEAM, USER = "T0PLUMB", "U0MEMBER"


class Replies(list[dict[str, Any]]):
    def __call__(self, **kwargs: Any) -> None:
        self.append(kwargs)


def _click(**extra: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": USER},
        "response_url": "https://hooks.example/1",
        **extra,
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"team_id": TEAM, "user_id": USER, "enterprise_id": "E1"}, RequestIds(TEAM, USER, "E1")),  # command
        (_click(enterprise={"id": "E1"}), RequestIds(TEAM, USER, "E1")),  # block action
        (
            {"type": "view_submission", "team": None, "user": {"id": USER, "team_id": TEAM}},
            RequestIds(TEAM, USER, "E0CTX"),
        ),
        (
            {"type": "event_callback", "team_id": TEAM, "event": {"user": USER}},
            RequestIds(TEAM, USER, "E0CTX"),
        ),
        ({"team": ["not", "an", "id"], "user": 7}, RequestIds("T0CTX", "U0CTX", "E0CTX")),  # Bolt's reading
    ],
)
def test_ids_are_read_from_any_payload_shape(body: dict[str, Any], expected: RequestIds) -> None:
    context = {"team_id": "T0CTX", "user_id": "U0CTX", "enterprise_id": "E0CTX"}
    found = RequestIds.read(body, context)
    assert (found.team_id, found.user_id) == (expected.team_id, expected.user_id)
    assert found.enterprise_id == expected.enterprise_id or (
        expected.enterprise_id == "" and found.enterprise_id
    )


def _admins(engine: Any) -> list[str]:
    with session_scope(engine, readonly=True) as session:
        return list(session.exec(select(AdminUser.user_id)).all())


def _add_admin(context: dict[str, Any], user: str) -> None:
    unit_of_work(context).session.add(
        AdminUser(team_id=TEAM, user_id=user, added_by=USER, created_at=datetime(2025, 3, 1, tzinfo=UTC))
    )
    unit_of_work(context).session.flush()


def test_an_error_in_a_listener_rolls_its_unit_of_work_back(sqlite_engine: Any) -> None:
    def half_done(ack: Ack, context: dict[str, Any]) -> None:
        ack()
        _add_admin(context, "U0FIRST")
        raise RuntimeError("failed half-way")

    context: dict[str, Any] = {UNIT: UnitOfWork(sqlite_engine)}
    replies = Replies()
    answered(half_done)(ack=Ack(), body=_click(), client=None, respond=replies, context=context)

    assert _admins(sqlite_engine) == []  # nothing half-written
    assert len(replies) == 1 and "ref" in json.dumps(replies[0]).lower()  # and the user is told


def test_a_listener_that_returns_commits_its_unit_of_work_once(sqlite_engine: Any) -> None:
    def change(ack: Ack, context: dict[str, Any]) -> None:
        ack()
        _add_admin(context, "U0FIRST")
        _add_admin(context, "U0SECOND")

    context: dict[str, Any] = {UNIT: UnitOfWork(sqlite_engine)}
    answered(change)(ack=Ack(), body=_click(), client=None, respond=Replies(), context=context)

    assert sorted(_admins(sqlite_engine)) == ["U0FIRST", "U0SECOND"]


def test_a_refused_requirement_answers_who_can_and_never_runs_the_listener() -> None:
    ran: list[str] = []

    def refuse(_context: Any, _client: Any) -> None:
        raise NotAllowed("Only people who manage Hilal can do this.", hint="Workspace admins and owners can.")

    def listener(ack: Ack) -> None:
        ack()
        ran.append("ran")

    ack, replies = Ack(), Replies()
    answered(listener, requires=refuse)(ack=ack, body=_click(), client=None, respond=replies, context={})

    assert ran == []
    assert ack.response is not None and ack.response.status == 200  # acked before the (slow) check
    text = json.dumps(replies)
    assert "Only people who manage Hilal can do this." in text and "Workspace admins and owners" in text
