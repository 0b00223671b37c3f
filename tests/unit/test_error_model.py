"""One mapping from Amazon's errors to what a user is told, and a form's errors shown in the form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import Ack

from bot.amazon import errors as amazon
from bot.errors import NotAllowed, ReconnectRequired, UpstreamUnavailable, UsageError, from_amazon
from bot.listeners.errors import modal_errors_for, user_message_for
from bot.listeners.registry import answered

SECRET = "Atza|IwEBIExampleSecretAccessToken"


@pytest.mark.parametrize(
    ("error", "kind", "says"),
    [
        (amazon.ReconnectRequired("invalid_grant"), ReconnectRequired, "/hilal connect"),
        (amazon.Unauthorized("expired", status=401), ReconnectRequired, "Reconnect"),
        (amazon.AccessDenied("view only", status=403), NotAllowed, "view-only"),
        (amazon.RateLimited("slow down", status=429), UpstreamUnavailable, "Try again"),
        (amazon.ServerError("boom", status=502), UpstreamUnavailable, "Nothing was changed"),
        (amazon.TransportError("timed out"), UpstreamUnavailable, "Nothing was changed"),
        (amazon.InvalidArgument("budget too low", status=400), UsageError, "budget too low"),
    ],
)
def test_amazon_errors_become_what_a_user_can_act_on(
    error: amazon.AmazonAdsError, kind: type, says: str
) -> None:
    mapped = from_amazon(error)
    assert isinstance(mapped, kind)
    assert says in f"{mapped.detail} {mapped.hint}"
    text = json.dumps(user_message_for(error))
    assert "unexpected" not in text.lower() and says.split()[0] in text


def test_amazons_text_is_kept_but_a_token_in_it_never_reaches_the_user() -> None:
    text = json.dumps(user_message_for(amazon.InvalidArgument(f"bad bearer {SECRET}", status=400)))
    assert "bad bearer" in text and SECRET not in text


def _submission(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "view_submission", "view": {"type": "modal", "blocks": list(blocks)}}


NAME_INPUT = {"type": "input", "block_id": "view.name", "element": {"type": "plain_text_input"}}


def test_a_user_error_in_a_form_is_shown_under_its_first_input() -> None:
    body = _submission({"type": "section", "block_id": "intro"}, NAME_INPUT)
    errors = modal_errors_for(UsageError("That name is taken.", hint="Pick another one."), body)
    assert errors == {"view.name": "That name is taken. Pick another one."}
    assert modal_errors_for(RuntimeError("bug"), body) is None  # unexpected: reported with a reference
    assert modal_errors_for(UsageError("x"), _submission({"type": "section", "block_id": "s"})) is None
    assert modal_errors_for(UsageError("x"), {"type": "block_actions"}) is None


def test_a_listener_that_raises_keeps_the_form_open_with_the_reason() -> None:
    def submit(ack: Ack, body: dict[str, Any]) -> None:
        raise amazon.AccessDenied("profile is view-only", status=403)

    ack = Ack()
    answered(submit)(ack=ack, body=_submission(NAME_INPUT), client=None, respond=None)
    assert ack.response is not None and ack.response.status == 200
    answer = json.loads(ack.response.body)
    assert answer["response_action"] == "errors"
    assert "view-only" in answer["errors"]["view.name"]
