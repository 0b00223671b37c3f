"""The Slack stand-in's world: workspaces, users, channels, messages, views and what was recorded.

Plain dataclasses. ``SlackState`` (``state.py``) owns the instances and guards them with one lock;
everything handed out to tests is a copy.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_SCOPES",
    "Call",
    "Channel",
    "Message",
    "Notice",
    "ResponseUrl",
    "Trigger",
    "Upload",
    "User",
    "View",
    "WebhookPost",
    "Workspace",
]

DEFAULT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
)

JsonDict = dict[str, Any]


def _from_mapping(cls: type[Any], value: Any) -> Any:
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"expected {cls.__name__} or a mapping, got {type(value).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = set(value) - known
    if unknown:
        raise TypeError(f"unknown {cls.__name__} fields: {sorted(unknown)}")
    return cls(**value)


@dataclass
class User:
    """A workspace member. ``tz`` is an IANA zone name."""

    id: str
    name: str
    real_name: str = ""
    tz: str = "UTC"
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None

    def to_api(self, *, team_id: str, now: float) -> JsonDict:
        """Return the ``users.info`` shape, with ``tz_label`` and ``tz_offset`` computed at ``now``."""
        zone = ZoneInfo(self.tz)
        local = datetime.fromtimestamp(now, UTC).astimezone(zone)
        offset = local.utcoffset()
        real_name = self.real_name or self.name
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": local.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": real_name,
                "display_name": self.name,
                "email": self.email,
                "image_48": "",
                "team": team_id,
            },
        }


@dataclass
class Channel:
    """A conversation. ``members=None`` means every user of the workspace is a member."""

    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    bot_is_member: bool = True
    members: list[str] | None = None
    is_im: bool = False
    im_user: str | None = None
    topic: str = ""

    def has_member(self, user_id: str) -> bool:
        """Whether ``user_id`` (a human) belongs to the conversation."""
        if self.is_im:
            return user_id == self.im_user
        return self.members is None or user_id in self.members

    def to_api(self) -> JsonDict:
        """Return the ``conversations.info`` shape (seen by the bot)."""
        data: JsonDict = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_member": self.bot_is_member,
            "topic": {"value": self.topic},
        }
        if self.is_im:
            data["user"] = self.im_user
            del data["name"]
        return data


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "workspace"


@dataclass
class Workspace:
    """A Slack team with its bot installation."""

    team_id: str
    name: str
    bot_token: str
    users: list[User] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    domain: str = ""
    bot_user_id: str = ""
    bot_id: str = ""
    bot_name: str = "hilal"
    app_id: str = "A0HILAL"
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    home_tab_enabled: bool = True
    enterprise_id: str | None = None
    extra_tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.users = [_from_mapping(User, u) for u in self.users]
        self.channels = [_from_mapping(Channel, c) for c in self.channels]
        self.domain = self.domain or _slug(self.name)
        self.bot_user_id = self.bot_user_id or f"U0BOT{self.team_id}"
        self.bot_id = self.bot_id or f"B0BOT{self.team_id}"
        self.scopes = tuple(self.scopes)

    @property
    def tokens(self) -> list[str]:
        """Every bot token that authenticates as this workspace's bot."""
        return [self.bot_token, *self.extra_tokens]

    def user(self, user_id: str) -> User | None:
        """Find a user by id."""
        return next((u for u in self.users if u.id == user_id), None)

    def channel(self, channel_id: str) -> Channel | None:
        """Find a channel by id (or by ``#name`` / ``name``)."""
        wanted = channel_id.lstrip("#")
        for channel in self.channels:
            if channel.id == channel_id or (not channel.is_im and channel.name == wanted):
                return channel
        return None

    def im_for(self, user_id: str) -> Channel | None:
        """The bot's DM channel with ``user_id``, if one exists."""
        return next((c for c in self.channels if c.is_im and c.im_user == user_id), None)


@dataclass
class Message:
    """A message in a channel; ``ephemeral_to`` is set for ephemeral messages."""

    team_id: str
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JsonDict] = field(default_factory=list)
    attachments: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    files: list[JsonDict] = field(default_factory=list)
    bot_id: str | None = None
    edited_ts: str | None = None
    deleted: bool = False
    source: str = "chat.postMessage"
    metadata: JsonDict | None = None
    warnings: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def is_ephemeral(self) -> bool:
        """Whether only ``ephemeral_to`` sees this message."""
        return self.ephemeral_to is not None

    def to_api(self) -> JsonDict:
        """Return the message as Slack shows it in API responses and payloads."""
        data: JsonDict = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.bot_id:
            data["bot_id"] = self.bot_id
            data["app_id"] = "A0HILAL"
        for key in ("thread_ts", "metadata"):
            if getattr(self, key) is not None:
                data[key] = copy.deepcopy(getattr(self, key))
        for key in ("blocks", "attachments", "files"):
            if getattr(self, key):
                data[key] = copy.deepcopy(getattr(self, key))
        if self.edited_ts:
            data["edited"] = {"user": self.user, "ts": self.edited_ts}
        return data


@dataclass
class View:
    """A modal or Home tab view as Slack stores it."""

    id: str
    team_id: str
    user_id: str
    payload: JsonDict
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str | None = None
    state: JsonDict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    app_id: str = "A0HILAL"
    bot_id: str = ""
    closed: bool = False

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.payload.get("type", ""))

    @property
    def blocks(self) -> list[JsonDict]:
        """The view's blocks."""
        blocks = self.payload.get("blocks") or []
        return list(blocks)

    def to_api(self) -> JsonDict:
        """Return the ``view`` object of API responses and payloads."""
        data = copy.deepcopy(self.payload)
        data.update(
            {
                "id": self.id,
                "team_id": self.team_id,
                "state": {"values": copy.deepcopy(self.state)},
                "hash": self.hash,
                "root_view_id": self.root_view_id,
                "previous_view_id": self.previous_view_id,
                "external_id": self.external_id or "",
                "app_id": self.app_id,
                "app_installed_team_id": self.team_id,
                "bot_id": self.bot_id,
            }
        )
        data.setdefault("private_metadata", "")
        data.setdefault("callback_id", "")
        data.setdefault("clear_on_close", False)
        data.setdefault("notify_on_close", False)
        return data


@dataclass(frozen=True)
class Call:
    """One Web API call the stand-in answered."""

    method: str
    args: JsonDict
    token: str | None
    ts: float
    team_id: str | None
    ok: bool
    error: str | None
    status: int
    response: JsonDict


@dataclass
class Trigger:
    """A ``trigger_id`` handed to the app; valid for 3 s, usable once."""

    id: str
    team_id: str
    user_id: str
    issued_at: float
    used: bool = False
    channel_id: str | None = None  # where it was issued: a modal's "current conversation"


@dataclass
class ResponseUrl:
    """A ``response_url``: 5 posts within 30 minutes, tied to a user, channel and original message."""

    id: str
    url: str
    team_id: str
    user_id: str
    channel_id: str | None
    created_at: float
    original: tuple[str, str] | None = None  # (channel, message id) of the message it may replace
    is_command: bool = False
    uses: int = 0


@dataclass(frozen=True)
class WebhookPost:
    """One post to a ``response_url``, accepted or not."""

    url: str
    body: JsonDict
    status: int
    answer: str
    ts: float


@dataclass
class Upload:
    """A file announced by ``files.getUploadURLExternal``."""

    id: str
    team_id: str
    filename: str
    length: int
    alt_txt: str | None = None
    data: bytes | None = None
    title: str | None = None
    shared: bool = False
    completed: bool = False  # files.completeUploadExternal ran: blocks may show it via ``slack_file``


@dataclass(frozen=True)
class Notice:
    """Something Slack would have shown the user as an error: a rejected post, a failed request."""

    team_id: str
    user_id: str | None
    channel: str | None
    kind: str
    title: str
    error: str
    details: tuple[str, ...] = ()
    payload: JsonDict | None = None
    ts: float = 0.0
    seq: int = 0


def as_list(values: Iterable[Any] | None) -> list[Any]:
    """Copy an optional iterable into a list."""
    return list(values) if values is not None else []
