"""Driving the app like Slack does: send a signed request, then apply what the app answered.

A slash command's ack body becomes an ephemeral (or in-channel) reply; a ``view_submission`` answer's
``response_action`` (errors / update / push / clear) changes the modal stack; a failed or slow request
leaves a ``Notice`` the console shows as Slack's error ("dispatch_failed", "operation_timeout").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.slack.api_views import close_top_view, push_view, replace_view
from sandbox.slack.appclient import RawReply
from sandbox.slack.limits import check_view
from sandbox.slack.model import Channel, Message, Notice, View, Workspace
from sandbox.slack.state import SlackState, assign_ids
from sandbox.slack.surfaces import STATEFUL, carry_over, find_element, iter_elements, state_value
from sandbox.slack.webapi import ApiContext, ApiError
from sandbox.slack.webhook import deliver_response

__all__ = [
    "Surface",
    "Target",
    "apply_command_ack",
    "apply_submission_answer",
    "check_reply",
    "locate",
    "merge_values",
    "record_selection",
    "submission_response_urls",
    "surface_values",
]

ACK_DEADLINE = 3.0
JsonDict = dict[str, Any]


@dataclass
class Surface:
    """Where an interaction happens: a message (with its channel) or a view."""

    message: Message | None = None
    view: View | None = None
    channel: Channel | None = None

    @property
    def blocks(self) -> list[JsonDict]:
        """The surface's blocks."""
        if self.view is not None:
            return self.view.blocks
        return self.message.blocks if self.message is not None else []


@dataclass
class Target:
    """A surface plus the block and element acted upon."""

    surface: Surface
    block: JsonDict
    element: JsonDict


def _visible(state: SlackState, workspace: Workspace, user_id: str) -> list[Message]:
    found = []
    for message in reversed(state.messages):
        if message.team_id != workspace.team_id or message.deleted:
            continue
        channel = workspace.channel(message.channel)
        if message.ephemeral_to == user_id or (
            message.ephemeral_to is None and channel is not None and channel.has_member(user_id)
        ):
            found.append(message)
    return found


def _candidates(state: SlackState, workspace: Workspace, user_id: str) -> list[Surface]:
    key = (workspace.team_id, user_id)
    surfaces = [Surface(view=v) for v in reversed(state.stacks.get(key, []))]
    surfaces += [
        Surface(message=m, channel=workspace.channel(m.channel)) for m in _visible(state, workspace, user_id)
    ]
    if key in state.homes:
        surfaces.append(Surface(view=state.homes[key]))
    return surfaces


def locate(
    state: SlackState,
    workspace: Workspace,
    *,
    user_id: str,
    action_id: str,
    block_id: str | None,
    message: Message | None,
    view: View | None,
) -> Target:
    """Find the element a user acts on; search the user's modals, messages and Home when not told."""
    if view is not None or message is not None:
        channel = workspace.channel(message.channel) if message is not None else None
        surfaces = [Surface(message=message, view=view, channel=channel)]
    else:
        surfaces = _candidates(state, workspace, user_id)
    for surface in surfaces:
        found = find_element(surface.blocks, action_id, block_id)
        if found is not None:
            return Target(surface, found[0], found[1])
    where = "that surface" if view is not None or message is not None else f"anything {user_id} can see"
    raise LookupError(f"no element with action_id {action_id!r} on {where}")


def surface_values(state: SlackState, surface: Surface, user_id: str) -> dict[str, dict[str, JsonDict]]:
    """The live ``state.values`` of a surface for a user (views keep theirs; messages per user)."""
    if surface.view is not None:
        return surface.view.state
    assert surface.message is not None
    key = (surface.message.id, user_id)
    values = carry_over(state.surface_values.get(key, {}), surface.message.blocks)
    state.surface_values[key] = values
    return values


def merge_values(
    blocks: list[JsonDict], values: dict[str, dict[str, JsonDict]], raw: JsonDict | None
) -> None:
    """Fold simple values ``{block_id: {action_id: value}}`` into ``values`` in Slack's shape."""
    for block_id, actions in (raw or {}).items():
        for action_id, value in actions.items():
            found = find_element(blocks, action_id, block_id)
            if found is None:
                raise LookupError(f"no input {block_id!r}/{action_id!r} on that surface")
            values.setdefault(block_id, {})[action_id] = state_value(found[1], value)


def record_selection(values: dict[str, dict[str, JsonDict]], target: Target, item: JsonDict) -> None:
    """Remember what a block action selected, as Slack's client does."""
    element = target.element
    if element.get("type") not in STATEFUL:
        return
    shape = {
        "type": element["type"],
        **{k: v for k, v in item.items() if k.startswith(("selected", "value"))},
    }
    values.setdefault(str(target.block.get("block_id")), {})[str(element.get("action_id"))] = shape


def check_reply(
    state: SlackState, raw: RawReply, *, workspace: Workspace, user_id: str, channel: str | None, what: str
) -> None:
    """Leave a notice when Slack would have shown the user an error for this request."""
    if raw.status == 200 and raw.elapsed <= ACK_DEADLINE:
        return
    error = (
        "operation_timeout"
        if raw.status == 200 or (raw.status == 0 and "timed out" in raw.body)
        else "dispatch_failed"
    )
    detail = f"HTTP {raw.status} after {raw.elapsed:.2f} s" if raw.status else raw.body
    state.add_notice(
        Notice(workspace.team_id, user_id, channel, "app", f"{what} failed", error, (detail,), ts=state.now())
    )


def apply_command_ack(state: SlackState, raw: RawReply, *, response_url: str) -> None:
    """A slash command's 200 body is shown to the user (ephemeral unless ``response_type`` says otherwise)."""
    if raw.status != 200 or not raw.body.strip():
        return
    try:
        body = json.loads(raw.body)
    except ValueError:
        body = {"text": raw.body}
    if not isinstance(body, dict):
        return
    url_id = response_url.rsplit("/", 1)[-1]
    record = state.response_urls.get(url_id)
    if record is not None:
        deliver_response(state, record, body, source="ack")


def _context(state: SlackState, workspace: Workspace, base_url: str) -> ApiContext:
    return ApiContext(state, workspace, None, {}, base_url, "view_submission")


def _response_view(state: SlackState, workspace: Workspace, user_id: str, body: JsonDict) -> JsonDict | None:
    view = body.get("view")
    verdict = check_view(view, allowed_types=("modal",))
    if verdict.ok:
        payload = dict(view) if isinstance(view, dict) else {}
        payload["blocks"] = assign_ids(list(payload.get("blocks") or []))
        return payload
    title = f"response_action {body.get('response_action')} was rejected"
    details = tuple(verdict.messages)
    state.add_notice(
        Notice(workspace.team_id, user_id, None, "app", title, str(verdict.error), details, body, state.now())
    )
    return None


def apply_submission_answer(
    state: SlackState, raw: RawReply, *, workspace: Workspace, user_id: str, view: View, base_url: str
) -> None:
    """Apply the app's answer to a ``view_submission`` to the user's modal stack."""
    if raw.status != 200:
        return
    try:
        body = json.loads(raw.body) if raw.body.strip() else {}
    except ValueError:
        body = {}
    ctx = _context(state, workspace, base_url)
    action = body.get("response_action") if isinstance(body, dict) else None
    if action == "errors":
        view.errors = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
        state.touch()
    elif action in ("update", "push"):
        payload = _response_view(state, workspace, user_id, body)
        if payload is None:
            return
        try:
            replace_view(ctx, view, payload) if action == "update" else push_view(ctx, user_id, payload)
        except ApiError as exc:
            state.add_notice(
                Notice(workspace.team_id, user_id, None, "app", "push failed", exc.error, ts=state.now())
            )
    else:
        close_top_view(ctx, user_id, clear=action == "clear")


_PICKERS = {"conversations_select": "selected_conversation", "channels_select": "selected_channel"}


def submission_response_urls(state: SlackState, view: View, *, base_url: str, user_id: str) -> list[JsonDict]:
    """A ``response_url`` for each ``response_url_enabled`` picker of a modal with a conversation picked.

    Lock held by caller. Posts through it land in the picked conversation, as Slack's do.
    """
    urls: list[JsonDict] = []
    for block, element in iter_elements(view.blocks):
        kind, block_id = str(element.get("type")), str(block.get("block_id"))
        if block.get("type") != "input" or kind not in _PICKERS or not element.get("response_url_enabled"):
            continue
        action_id = str(element.get("action_id"))
        picked = view.state.get(block_id, {}).get(action_id, {}).get(_PICKERS[kind])
        if not picked:
            continue
        record = state.issue_response_url(
            base_url=base_url, team_id=view.team_id, user_id=user_id, channel_id=str(picked)
        )
        urls.append(
            {"block_id": block_id, "action_id": action_id, "channel_id": picked, "response_url": record.url}
        )
    return urls
