"""Slack's own slash commands, answered by the stand-in itself: the app never sees them.

``/invite @hilal`` (or ``@Hilal``, ``<@U…>``, a member's name) adds the bot or people to the channel and
posts the usual "has joined the channel" line, as Slack does; problems are answered by Slackbot, only to
the person who typed the command.
"""

from __future__ import annotations

from sandbox.slack.model import Channel, Message, Workspace
from sandbox.slack.state import SlackState

__all__ = ["BUILTINS", "JOIN_SOURCE", "SLACKBOT", "run_builtin"]

BUILTINS = frozenset({"/invite"})
JOIN_SOURCE = "channel_join"
SLACKBOT = "USLACKBOT"
JOINED = "<@{user}> has joined the channel"


def run_builtin(
    state: SlackState, *, team_id: str, user_id: str, channel_id: str, command: str, text: str
) -> bool:
    """Run ``command`` if it is one of Slack's own; False when it is not (it goes to the app).

    Raises:
        LookupError: unknown team.
    """
    if command.lower() not in BUILTINS:
        return False
    with state.lock:
        workspace = state.workspace(team_id)
        _echo(state, workspace, user_id, channel_id, f"{command} {text}".strip())
        _invite(state, workspace, user_id, workspace.channel(channel_id), text)
        state.touch()
    return True


def _invite(
    state: SlackState, workspace: Workspace, user_id: str, channel: Channel | None, text: str
) -> None:
    if channel is None or channel.is_im:
        _slackbot(state, workspace, user_id, channel, "You can't invite anyone to a direct message.")
        return
    words = text.split()
    if not words:
        _slackbot(state, workspace, user_id, channel, "Who should join? Example: /invite @hilal")
        return
    for word in words:
        member = _member(workspace, word)
        if member is None:
            _slackbot(state, workspace, user_id, channel, f"There is no one called {word[:40]} here.")
        elif channel.is_archived:
            _slackbot(state, workspace, user_id, channel, f"#{channel.name} is archived.")
        elif _is_in(channel, workspace, member):
            _slackbot(state, workspace, user_id, channel, f"{_name(workspace, member)} is already here.")
        else:
            _join(state, workspace, channel, member)


def _member(workspace: Workspace, word: str) -> str | None:
    """The user id ``word`` names: ``@name``, ``<@U…>`` / ``<@U…|name>``, or the app's own names."""
    name = word.strip("<>").lstrip("@").split("|", 1)[0].lower()
    if name in {workspace.bot_name.lower(), workspace.bot_user_id.lower(), "hilal", "app"}:
        return workspace.bot_user_id
    for user in workspace.users:
        if name in {user.id.lower(), user.name.lower()} and not user.deleted:
            return user.id
    return None


def _is_in(channel: Channel, workspace: Workspace, member: str) -> bool:
    return channel.bot_is_member if member == workspace.bot_user_id else channel.has_member(member)


def _join(state: SlackState, workspace: Workspace, channel: Channel, member: str) -> None:
    if member == workspace.bot_user_id:
        channel.bot_is_member = True
    elif channel.members is not None:
        channel.members.append(member)
    joined = Message(
        team_id=workspace.team_id,
        channel=channel.id,
        ts="",
        user=member,
        text=JOINED.format(user=member),
        source=JOIN_SOURCE,
    )
    state.add_message(joined)


def _name(workspace: Workspace, member: str) -> str:
    if member == workspace.bot_user_id:
        return workspace.bot_name
    user = workspace.user(member)
    return user.name if user else member


def _echo(state: SlackState, workspace: Workspace, user_id: str, channel_id: str, text: str) -> None:
    channel = workspace.channel(channel_id)
    echo = Message(
        team_id=workspace.team_id,
        channel=channel.id if channel else channel_id,
        ts=state.next_ts(),
        user=user_id,
        text=text,
        ephemeral_to=user_id,
        source="command",
        id=state.new_id("M"),
    )
    state.echoes.append(echo)


def _slackbot(
    state: SlackState, workspace: Workspace, user_id: str, channel: Channel | None, text: str
) -> None:
    where = channel.id if channel else state.open_im(workspace, user_id).id
    reply = Message(
        team_id=workspace.team_id,
        channel=where,
        ts="",
        user=SLACKBOT,
        text=text,
        ephemeral_to=user_id,
        source="slackbot",
    )
    state.add_message(reply)
