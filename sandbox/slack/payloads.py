"""The bodies Slack sends to an app: slash commands, block_actions, view_submission, view_closed,
block_suggestion and Events API envelopes. Pure functions over the stand-in's model objects."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sandbox.slack.model import Channel, Message, View, Workspace
from sandbox.slack.surfaces import option_for, state_value

__all__ = [
    "VERIFICATION_TOKEN",
    "action_item",
    "block_actions",
    "block_suggestion",
    "command_body",
    "event_envelope",
    "view_closed",
    "view_submission",
]

# The deprecated verification token Slack still sends in payloads; fake.
VERIFICATION_TOKEN = "standin-verification-token"  # noqa: S105
JsonDict = dict[str, Any]


def _user(workspace: Workspace, user_id: str) -> JsonDict:
    user = workspace.user(user_id)
    name = user.name if user else user_id
    return {"id": user_id, "username": name, "name": name, "team_id": workspace.team_id}


def _team(workspace: Workspace) -> JsonDict:
    return {"id": workspace.team_id, "domain": workspace.domain}


def _common(workspace: Workspace, user_id: str) -> JsonDict:
    return {
        "user": _user(workspace, user_id),
        "api_app_id": workspace.app_id,
        "token": VERIFICATION_TOKEN,
        "team": _team(workspace),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def command_body(
    workspace: Workspace,
    *,
    user_id: str,
    channel: Channel,
    command: str,
    text: str,
    response_url: str,
    trigger_id: str,
) -> str:
    """The form-encoded slash-command body."""
    user = workspace.user(user_id)
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": workspace.team_id,
        "team_domain": workspace.domain,
        "channel_id": channel.id,
        "channel_name": "directmessage" if channel.is_im else channel.name,
        "user_id": user_id,
        "user_name": user.name if user else user_id,
        "command": command,
        "text": text,
        "api_app_id": workspace.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode(fields)


def action_item(block: JsonDict, element: JsonDict, *, value: Any, selected: Any, action_ts: str) -> JsonDict:
    """One entry of ``actions`` for a click or selection on ``element``."""
    kind = str(element.get("type"))
    item: JsonDict = {
        "type": kind,
        "action_id": element.get("action_id"),
        "block_id": block.get("block_id"),
        "action_ts": action_ts,
    }
    if kind in ("button", "workflow_button"):
        item["text"] = element.get("text")
        item["value"] = element.get("value") if value is None else value
        if element.get("style"):
            item["style"] = element["style"]
    elif kind == "overflow":
        item["selected_option"] = option_for(element, value)
    else:
        raw = selected if selected is not None else value
        item.update({k: v for k, v in state_value(element, raw).items() if k != "type"})
        if element.get("placeholder"):
            item["placeholder"] = element["placeholder"]
    return {k: v for k, v in item.items() if v is not None or k == "selected_option"}


def _container(message: Message | None, view: View | None) -> JsonDict:
    if view is not None:
        return {"type": "view", "view_id": view.id}
    assert message is not None
    container: JsonDict = {"type": "message", "message_ts": message.ts, "channel_id": message.channel}
    container["is_ephemeral"] = message.is_ephemeral
    if message.thread_ts:
        container["thread_ts"] = message.thread_ts
    return container


def block_actions(
    workspace: Workspace,
    *,
    user_id: str,
    actions: list[JsonDict],
    values: JsonDict,
    trigger_id: str,
    message: Message | None = None,
    channel: Channel | None = None,
    view: View | None = None,
    response_url: str | None = None,
    container: JsonDict | None = None,
) -> str:
    """The ``payload=`` form body of a ``block_actions`` interaction (``container`` overrides Slack's)."""
    payload: JsonDict = {"type": "block_actions", **_common(workspace, user_id)}
    payload.update({"container": container or _container(message, view), "trigger_id": trigger_id})
    if view is not None:
        payload["view"] = {**view.to_api(), "state": {"values": values}}
    else:
        assert message is not None and channel is not None
        payload["channel"] = {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}
        if not message.is_ephemeral:
            payload["message"] = message.to_api()
        payload["state"] = {"values": values}
        payload["response_url"] = response_url
    payload["actions"] = actions
    return urlencode({"payload": json.dumps(payload)})


def view_submission(
    workspace: Workspace,
    *,
    user_id: str,
    view: View,
    values: JsonDict,
    trigger_id: str,
    response_urls: list[JsonDict] | None = None,
) -> str:
    """The ``payload=`` body of a ``view_submission`` (``response_urls``: one per ``response_url_enabled``
    conversation picker with a conversation picked)."""
    payload: JsonDict = {"type": "view_submission", **_common(workspace, user_id), "trigger_id": trigger_id}
    payload["view"] = {**view.to_api(), "state": {"values": values}}
    payload["response_urls"] = list(response_urls or [])
    return urlencode({"payload": json.dumps(payload)})


def view_closed(workspace: Workspace, *, user_id: str, view: View, is_cleared: bool) -> str:
    """The ``payload=`` body of a ``view_closed`` (only sent with ``notify_on_close``)."""
    payload: JsonDict = {"type": "view_closed", **_common(workspace, user_id)}
    payload.update({"view": view.to_api(), "is_cleared": is_cleared})
    return urlencode({"payload": json.dumps(payload)})


def block_suggestion(
    workspace: Workspace,
    *,
    user_id: str,
    action_id: str,
    block_id: str | None,
    value: str,
    message: Message | None = None,
    view: View | None = None,
) -> str:
    """The ``payload=`` body of an options request for an external select."""
    payload: JsonDict = {"type": "block_suggestion", **_common(workspace, user_id)}
    payload.update({"action_id": action_id, "block_id": block_id, "value": value})
    if view is not None or message is not None:
        payload["container"] = _container(message, view)
    if view is not None:
        payload["view"] = view.to_api()
    elif message is not None:
        payload["channel"] = {"id": message.channel}
        payload["message"] = message.to_api()
    return urlencode({"payload": json.dumps(payload)})


def event_envelope(workspace: Workspace, *, event: JsonDict, event_id: str, event_time: int) -> str:
    """The JSON body of an Events API ``event_callback``."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": workspace.team_id,
        "api_app_id": workspace.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }
    return json.dumps(envelope)
