"""``SlackState``: everything the stand-in knows, behind one lock.

Web API methods, the ``response_url`` sink, the request sender and the console all read and write
here. ``version`` grows on every change and ``changed`` is notified, so tests can wait for a call
made by a listener thread without sleeping, and the console can poll cheaply.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.slack.clock import Clock
from sandbox.slack.model import (
    Call,
    Channel,
    Message,
    Notice,
    ResponseUrl,
    Trigger,
    Upload,
    View,
    WebhookPost,
    Workspace,
)

__all__ = ["Fault", "Scheduled", "SlackState", "assign_ids"]

RESPONSE_URL_TTL = 30 * 60
RESPONSE_URL_USES = 5
TRIGGER_TTL = 3.0


@dataclass
class Fault:
    """An injected failure for one Web API method."""

    method: str
    times: int
    error: str
    status: int = 200
    retry_after: int | None = None


@dataclass
class Scheduled:
    """A message waiting for its ``post_at``."""

    id: str
    post_at: int
    message: Message


@dataclass
class SlackState:
    """The stand-in's in-memory world."""

    clock: Clock
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    echoes: list[Message] = field(default_factory=list)
    homes: dict[tuple[str, str], View] = field(default_factory=dict)
    stacks: dict[tuple[str, str], list[View]] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    webhook_posts: list[WebhookPost] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    surface_values: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    scheduled: list[Scheduled] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    revoked_tokens: set[str] = field(default_factory=set)
    oauth_codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    last_post_at: dict[str, float] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._seq = itertools.count(1)

    # ids and time -----------------------------------------------------------------------------

    def now(self) -> float:
        """The stand-in's clock."""
        return self.clock.now()

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id such as ``V0000001A``."""
        return f"{prefix}{next(self._seq):08X}"

    def peek_ids(self) -> int:
        """The next id number, without using it (what a restarted stand-in resumes from)."""
        upcoming = next(self._seq)
        self._seq = itertools.count(upcoming)
        return upcoming

    def continue_ids(self, start: int) -> None:
        """Issue ids and ts sequences from ``start`` on (after restoring a saved world)."""
        self._seq = itertools.count(start)

    def next_ts(self) -> str:
        """A unique, increasing message ts (``seconds.sequence``)."""
        return f"{int(self.now())}.{next(self._seq):06d}"

    def touch(self) -> None:
        """Note a change and wake waiters. Call with the lock held."""
        self.version += 1
        self.changed.notify_all()

    # lookups ----------------------------------------------------------------------------------

    def workspace_for_token(self, token: str) -> Workspace | None:
        """The workspace a bot token belongs to."""
        return next((w for w in self.workspaces.values() if token in w.tokens), None)

    def workspace(self, team_id: str) -> Workspace:
        """The workspace ``team_id`` (KeyError with a helpful message when unknown)."""
        try:
            return self.workspaces[team_id]
        except KeyError:
            raise KeyError(f"unknown team {team_id!r}; add it with add_workspace()") from None

    def find_channel(self, channel: str, team_id: str | None = None) -> tuple[Workspace, Channel] | None:
        """Find a channel by id or ``#name`` across workspaces (or in ``team_id``)."""
        for workspace in self.workspaces.values():
            if team_id is not None and workspace.team_id != team_id:
                continue
            found = workspace.channel(channel)
            if found is not None:
                return workspace, found
        return None

    def open_im(self, workspace: Workspace, user_id: str) -> Channel:
        """The bot's DM with ``user_id``, created on first use."""
        channel = workspace.im_for(user_id)
        if channel is None:
            channel = Channel(id=f"D{user_id[1:]}", name=f"dm-{user_id}", is_im=True, im_user=user_id)
            workspace.channels.append(channel)
        return channel

    def message_by_id(self, message_id: str) -> Message | None:
        """Find a message (or ephemeral) by the stand-in's own id."""
        return next((m for m in self.messages if m.id == message_id), None)

    def message_at(self, channel: str, ts: str, *, team_id: str | None = None) -> Message | None:
        """Find a non-ephemeral message by channel and ts."""
        for message in self.messages:
            if team_id is not None and message.team_id != team_id:
                continue
            if message.channel == channel and message.ts == ts and not message.is_ephemeral:
                return message
        return None

    # writes -----------------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store a message, giving it ids and a ts when missing."""
        message.id = message.id or self.new_id("M")
        message.ts = message.ts or self.next_ts()
        message.blocks = assign_ids(message.blocks)
        self.messages.append(message)
        self.touch()
        return message

    def issue_trigger(self, team_id: str, user_id: str, channel_id: str | None = None) -> str:
        """Hand out a trigger id valid for 3 s of the stand-in's clock (issued in ``channel_id``, if any)."""
        trigger_id = f"{int(self.now())}.{next(self._seq)}.{secrets.token_hex(8)}"
        self.triggers[trigger_id] = Trigger(trigger_id, team_id, user_id, self.now(), channel_id=channel_id)
        return trigger_id

    def issue_response_url(
        self,
        *,
        base_url: str,
        team_id: str,
        user_id: str,
        channel_id: str | None,
        original: Message | None = None,
        is_command: bool = False,
    ) -> ResponseUrl:
        """Create a ``response_url`` bound to a user, channel and (optionally) an original message."""
        url_id = self.new_id("R").lower()
        response_url = ResponseUrl(
            id=url_id,
            url=f"{base_url}/webhook/{url_id}",
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            created_at=self.now(),
            original=(original.channel, original.id) if original is not None else None,
            is_command=is_command,
        )
        self.response_urls[url_id] = response_url
        return response_url

    def record_call(self, call: Call) -> None:
        """Remember a Web API call."""
        self.calls.append(call)
        self.touch()

    def record_webhook(self, post: WebhookPost) -> None:
        """Remember a ``response_url`` post."""
        self.webhook_posts.append(post)
        self.touch()

    def add_notice(self, notice: Notice) -> None:
        """Remember something Slack would have shown as an error."""
        self.notices.append(dataclasses.replace(notice, seq=next(self._seq)))
        self.touch()

    def take_fault(self, method: str) -> Fault | None:
        """Consume one injected fault for ``method``, if any is armed."""
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def new_hash(self) -> str:
        """A view hash."""
        return f"{int(self.now())}.{next(self._seq):08x}"


def _generated_id(seed: str) -> str:
    digest = hashlib.blake2s(seed.encode("utf-8"), digest_size=8).hexdigest()
    return digest[:5]


def assign_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give blocks without ``block_id`` and elements without ``action_id`` generated ids, as Slack does."""
    result: list[dict[str, Any]] = []
    for index, block in enumerate(blocks or []):
        if not isinstance(block, dict):
            result.append(block)
            continue
        block = dict(block)
        if "block_id" not in block:
            block["block_id"] = _generated_id(f"{index}:{sorted(block.items())!r}")
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                block[key] = _with_action_id(block[key], f"{block['block_id']}:{key}")
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            block["elements"] = [
                _with_action_id(e, f"{block['block_id']}:{i}") if isinstance(e, dict) else e
                for i, e in enumerate(block["elements"])
            ]
        result.append(block)
    return result


def _with_action_id(element: dict[str, Any], seed: str) -> dict[str, Any]:
    if "action_id" in element or element.get("type") == "image":
        return element
    return {**element, "action_id": _generated_id(seed)}
