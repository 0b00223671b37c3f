"""The console's view of the stand-in: one JSON document per (team, user), built under the state lock.

Everything a person in that seat would see: their channels, each channel's timeline (messages,
their own ephemerals and commands, notices about what Slack refused), their Home tab and modal stack.
"""

from __future__ import annotations

from typing import Any

from sandbox.slack.builtins import JOIN_SOURCE, SLACKBOT
from sandbox.slack.model import Message, Notice, View, Workspace
from sandbox.slack.state import SlackState

__all__ = ["console_state"]

JsonDict = dict[str, Any]
_KINDS = {"command": "command", JOIN_SOURCE: "system"}


def _seq(ts: str) -> int:
    try:
        return int(ts.split(".", 1)[1])
    except (IndexError, ValueError):
        return 0


def _author(workspace: Workspace, message: Message) -> JsonDict:
    if message.user == SLACKBOT:
        return {"id": message.user, "name": "Slackbot", "is_bot": True}
    if message.user == workspace.bot_user_id:
        return {"id": message.user, "name": workspace.bot_name, "is_bot": True}
    user = workspace.user(message.user)
    name = (user.real_name or user.name) if user else message.user
    return {"id": message.user, "name": name, "is_bot": False}


def _message(state: SlackState, workspace: Workspace, message: Message, me: str) -> JsonDict:
    values = state.surface_values.get((message.id, me))
    return {
        "kind": _KINDS.get(message.source, "message"),
        "id": message.id,
        "seq": _seq(message.ts),
        "ts": message.ts,
        "time": int(float(message.ts)) if message.ts else 0,
        "author": _author(workspace, message),
        "text": message.text,
        "blocks": message.blocks,
        "attachments": message.attachments,
        "files": message.files,
        "thread_ts": message.thread_ts,
        "ephemeral": message.is_ephemeral,
        "edited": message.edited_ts is not None,
        "warnings": message.warnings,
        "source": message.source,
        "state": values,
        "raw": message.to_api(),
    }


def _notice(notice: Notice) -> JsonDict:
    return {
        "kind": "notice",
        "id": f"N{notice.seq}",
        "seq": notice.seq,
        "time": int(notice.ts),
        "title": notice.title,
        "error": notice.error,
        "details": list(notice.details),
        "payload": notice.payload,
        "channel": notice.channel,
    }


def _view(view: View | None) -> JsonDict | None:
    if view is None:
        return None
    data = view.to_api()
    data["errors"] = dict(view.errors)
    return data


def _channels(workspace: Workspace, me: str) -> list[JsonDict]:
    found = []
    for channel in workspace.channels:
        if channel.is_im and channel.im_user != me:
            continue
        if channel.is_private and not channel.has_member(me):
            continue
        found.append(
            {
                "id": channel.id,
                "name": channel.name,
                "is_private": channel.is_private,
                "is_im": channel.is_im,
                "is_archived": channel.is_archived,
                "bot_is_member": channel.bot_is_member,
                "is_member": channel.has_member(me),
                "topic": channel.topic,
            }
        )
    return found


def _timelines(
    state: SlackState, workspace: Workspace, me: str, channel_ids: set[str]
) -> dict[str, list[JsonDict]]:
    timelines: dict[str, list[JsonDict]] = {cid: [] for cid in channel_ids}
    for message in [*state.messages, *state.echoes]:
        if message.team_id != workspace.team_id or message.deleted or message.channel not in channel_ids:
            continue
        if message.ephemeral_to not in (None, me):
            continue
        timelines[message.channel].append(_message(state, workspace, message, me))
    for notice in state.notices:
        if (
            notice.team_id == workspace.team_id
            and notice.channel in channel_ids
            and notice.user_id in (None, me)
        ):
            timelines[str(notice.channel)].append(_notice(notice))
    for items in timelines.values():
        items.sort(key=lambda item: int(item["seq"]))
    return timelines


def console_state(
    state: SlackState, *, team_id: str | None, user_id: str | None, app_configured: bool
) -> JsonDict:
    """The console document for one seat; defaults to the first team and its first user."""
    if not state.workspaces:
        return {"version": state.version, "workspaces": [], "team": None}
    workspace = state.workspaces.get(team_id or "") or next(iter(state.workspaces.values()))
    me = (
        user_id if user_id and workspace.user(user_id) else (workspace.users[0].id if workspace.users else "")
    )
    channels = _channels(workspace, me)
    key = (workspace.team_id, me)
    loose = [
        _notice(n)
        for n in state.notices
        if n.team_id == workspace.team_id and n.user_id in (None, me) and n.channel is None
    ]
    return {
        "version": state.version,
        "workspaces": [{"team_id": w.team_id, "name": w.name} for w in state.workspaces.values()],
        "team": {
            "team_id": workspace.team_id,
            "name": workspace.name,
            "bot_user_id": workspace.bot_user_id,
            "bot_name": workspace.bot_name,
            "home_tab_enabled": workspace.home_tab_enabled,
        },
        "app_configured": app_configured,
        "me": me,
        "users": [
            {
                "id": u.id,
                "name": u.name,
                "real_name": u.real_name or u.name,
                "tz": u.tz,
                "is_admin": u.is_admin,
            }
            for u in workspace.users
        ],
        "channels": channels,
        "app_dm": f"D{me[1:]}" if me else None,
        "timelines": _timelines(state, workspace, me, {c["id"] for c in channels} | {f"D{me[1:]}"}),
        "home": _view(state.homes.get(key)),
        "modals": [_view(v) for v in state.stacks.get(key, [])],
        "notices": loose,
    }
