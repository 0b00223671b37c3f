"""``AppDriver``: the half of ``SlackStandIn`` that talks TO the app (slash commands, clicks, submits,
events), mixed into ``SlackStandIn``. Requests are signed; the app's answers are applied the way Slack
applies them. The state lock is never held while waiting for the app, which calls back into the API.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.slack import payloads
from sandbox.slack.appclient import FORM, JSON, AppLink, AppReply
from sandbox.slack.clock import Clock
from sandbox.slack.interactions import (
    apply_command_ack,
    apply_submission_answer,
    check_reply,
    locate,
    merge_values,
    record_selection,
    submission_response_urls,
    surface_values,
)
from sandbox.slack.model import Message, View, Workspace
from sandbox.slack.state import SlackState

__all__ = ["AppDriver"]


class AppDriver:
    """Sends Slack's requests to the configured app."""

    _state: SlackState
    _link: AppLink | None
    _app_timeout: float

    @property
    def base_url(self) -> str:  # provided by SlackStandIn
        raise NotImplementedError

    @property
    def clock(self) -> Clock:
        """The stand-in's clock."""
        return self._state.clock

    def configure_app(
        self,
        request_url: str,
        signing_secret: str,
        *,
        options_url: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Point the stand-in at the app's Request URL (``/slack/events``) and signing secret."""
        self._link = AppLink(
            request_url,
            signing_secret,
            clock=self._state.clock,
            timeout=self._app_timeout if timeout is None else timeout,
            options_url=options_url,
        )

    @property
    def app_configured(self) -> bool:
        """Whether ``configure_app`` was called."""
        return self._link is not None

    def _require_link(self) -> AppLink:
        if self._link is None:
            raise RuntimeError("no app configured; call configure_app(request_url=..., signing_secret=...)")
        return self._link

    def issue_trigger(self, *, team_id: str, user_id: str) -> str:
        """A fresh ``trigger_id`` for ``user_id`` (valid 3 s of the stand-in's clock, usable once)."""
        with self._state.lock:
            self._state.workspace(team_id)
            return self._state.issue_trigger(team_id, user_id)

    def issue_response_url(
        self,
        *,
        team_id: str,
        user_id: str,
        channel_id: str | None = None,
        message: Message | dict[str, Any] | str | None = None,
        is_command: bool = False,
    ) -> str:
        """A ``response_url`` on this stand-in, e.g. for a hand-built ``BoltRequest`` in a slice test.

        ``message`` (a ``Message``, ``{"channel", "ts"}`` or an id/ts) is what ``replace_original`` and
        ``delete_original`` act on; with ``is_command`` they act on the latest reply posted through it.
        """
        with self._state.lock:
            self._state.workspace(team_id)
            original = self._message(message)
            channel = channel_id or (original.channel if original else None)
            record = self._state.issue_response_url(
                base_url=self.base_url,
                team_id=team_id,
                user_id=user_id,
                channel_id=channel,
                original=original,
                is_command=is_command,
            )
            return record.url

    def post_to_app(
        self,
        body: str,
        *,
        content_type: str = FORM,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> AppReply:
        """POST a raw body signed at ``timestamp`` (default now); ``headers`` override any header."""
        link = self._require_link()
        signed = link.signed_headers(body, content_type=content_type, timestamp=timestamp)
        raw = link.post(body, content_type=content_type, headers={**signed, **(headers or {})})
        return AppReply(raw.status, raw.body)

    def send_command(
        self,
        *,
        team_id: str,
        user_id: str,
        channel_id: str,
        text: str = "",
        command: str = "/hilal",
        trigger_id: str | None = None,
    ) -> AppReply:
        """Run a slash command as ``user_id`` in ``channel_id``; returns ``(status, body, response_url)``."""
        link = self._require_link()
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            channel = self._channel(workspace, channel_id, user_id)
            url = self._state.issue_response_url(
                base_url=self.base_url,
                team_id=team_id,
                user_id=user_id,
                channel_id=channel.id,
                is_command=True,
            )
            trigger = trigger_id or self._state.issue_trigger(team_id, user_id, channel.id)
            self._state.echoes.append(self._echo(workspace, user_id, channel.id, f"{command} {text}".strip()))
            self._state.touch()
            body = payloads.command_body(
                workspace,
                user_id=user_id,
                channel=channel,
                command=command,
                text=text,
                response_url=url.url,
                trigger_id=trigger,
            )
        raw = link.post(body, content_type=FORM)
        with self._state.lock:
            check_reply(
                self._state, raw, workspace=workspace, user_id=user_id, channel=channel.id, what=command
            )
            apply_command_ack(self._state, raw, response_url=url.url)
        return AppReply(raw.status, raw.body, url.url)

    def _channel(self, workspace: Workspace, channel_id: str, user_id: str) -> Any:
        if channel_id.startswith(("U", "W")) and workspace.user(channel_id) is not None:
            return self._state.open_im(workspace, channel_id)
        if channel_id in ("@hilal", "@app", "app_dm"):
            return self._state.open_im(workspace, user_id)
        channel = workspace.channel(channel_id)
        if channel is None:
            raise LookupError(f"no channel {channel_id!r} in {workspace.team_id}")
        return channel

    def _echo(self, workspace: Workspace, user_id: str, channel_id: str, text: str) -> Message:
        return Message(
            team_id=workspace.team_id,
            channel=channel_id,
            ts=self._state.next_ts(),
            user=user_id,
            text=text,
            ephemeral_to=user_id,
            source="command",
            id=self._state.new_id("M"),
        )

    def _message(self, message: Message | dict[str, Any] | str | None) -> Message | None:
        if message is None or isinstance(message, Message):
            return self._state.message_by_id(message.id) if isinstance(message, Message) else None
        if isinstance(message, dict):
            found = self._state.message_at(str(message.get("channel")), str(message.get("ts")))
        else:
            found = self._state.message_by_id(message) or next(
                (m for m in self._state.messages if m.ts == message), None
            )
        if found is None:
            raise LookupError(f"no message {message!r}")
        return found

    def _view(self, view: View | str | None) -> View | None:
        if view is None:
            return None
        view_id = view.id if isinstance(view, View) else view
        found = self._state.views.get(view_id)
        if found is None:
            raise LookupError(f"no view {view_id!r}")
        return found

    def send_block_action(
        self,
        *,
        team_id: str,
        user_id: str,
        action_id: str,
        value: Any = None,
        block_id: str | None = None,
        selected_options: list[Any] | None = None,
        message: Message | dict[str, Any] | str | None = None,
        view: View | str | None = None,
        values: dict[str, dict[str, Any]] | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        container: dict[str, Any] | None = None,
    ) -> AppReply:
        """Click / select ``action_id`` as ``user_id``, like Slack's client.

        The element is looked up on ``message`` or ``view`` when given, else on the user's open modal,
        the newest message they can see, then their Home tab. ``value`` is a button's value override,
        or the chosen option value of a select / overflow / radio; ``selected_options`` the option values
        of checkboxes and multi-selects; ``values`` other inputs' current values (``{block: {action: v}}``).
        ``response_url`` / ``trigger_id`` / ``container`` replace the ones the stand-in would make up.
        Returns ``(status, body, response_url)``; ``response_url`` is None for views (Home, modals).
        """
        link = self._require_link()
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            target = locate(
                self._state,
                workspace,
                user_id=user_id,
                action_id=action_id,
                block_id=block_id,
                message=self._message(message),
                view=self._view(view),
            )
            surface = target.surface
            state_values = surface_values(self._state, surface, user_id)
            merge_values(surface.blocks, state_values, values)
            item = payloads.action_item(
                target.block,
                target.element,
                value=value,
                selected=selected_options,
                action_ts=self._state.next_ts(),
            )
            record_selection(state_values, target, item)
            if surface.message is not None and response_url is None:
                response_url = self._state.issue_response_url(
                    base_url=self.base_url,
                    team_id=team_id,
                    user_id=user_id,
                    channel_id=surface.message.channel,
                    original=surface.message,
                ).url
            body = payloads.block_actions(
                workspace,
                user_id=user_id,
                actions=[item],
                values=copy.deepcopy(state_values),
                trigger_id=trigger_id
                or self._state.issue_trigger(
                    team_id, user_id, surface.channel.id if surface.channel else None
                ),
                message=surface.message,
                channel=surface.channel,
                view=surface.view,
                response_url=response_url,
                container=container,
            )
            self._state.touch()
        raw = link.post(body, content_type=FORM)
        with self._state.lock:
            channel = surface.message.channel if surface.message else None
            check_reply(
                self._state, raw, workspace=workspace, user_id=user_id, channel=channel, what=action_id
            )
        return AppReply(raw.status, raw.body, response_url)

    def _top_view(self, team_id: str, user_id: str, view: View | str | None) -> View:
        found = self._view(view)
        if found is None:
            stack = self._state.stacks.get((team_id, user_id)) or []
            if not stack:
                raise LookupError(f"{user_id} has no open modal")
            found = stack[-1]
        return found

    def send_view_submission(
        self,
        *,
        team_id: str,
        user_id: str,
        view: View | str | None = None,
        values: dict[str, dict[str, Any]] | None = None,
        trigger_id: str | None = None,
    ) -> AppReply:
        """Press the modal's submit button; ``values`` are ``{block_id: {action_id: value}}`` (simple values
        or Slack-shaped dicts) merged over the view's current state. The answer updates the modal stack."""
        link = self._require_link()
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            target = self._top_view(team_id, user_id, view)
            merge_values(target.blocks, target.state, values)
            target.errors = {}
            body = payloads.view_submission(
                workspace,
                user_id=user_id,
                view=target,
                values=copy.deepcopy(target.state),
                trigger_id=trigger_id or self._state.issue_trigger(team_id, user_id),
                response_urls=submission_response_urls(
                    self._state, target, base_url=self.base_url, user_id=user_id
                ),
            )
        raw = link.post(body, content_type=FORM)
        with self._state.lock:
            check_reply(self._state, raw, workspace=workspace, user_id=user_id, channel=None, what="submit")
            apply_submission_answer(
                self._state, raw, workspace=workspace, user_id=user_id, view=target, base_url=self.base_url
            )
        return AppReply(raw.status, raw.body)

    def send_view_closed(
        self, *, team_id: str, user_id: str, view: View | str | None = None, is_cleared: bool = False
    ) -> AppReply | None:
        """Close the top modal (the whole stack with ``is_cleared``); notifies the app only when the view
        asked for it with ``notify_on_close``. Returns the app's reply, or None when it was not told."""
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            target = self._top_view(team_id, user_id, view)
            stack = self._state.stacks.get((team_id, user_id)) or []
            while stack:
                stack.pop().closed = True
                if not is_cleared:
                    break
            self._state.touch()
            if not target.payload.get("notify_on_close") or self._link is None:
                return None
            body = payloads.view_closed(workspace, user_id=user_id, view=target, is_cleared=is_cleared)
        raw = self._link.post(body, content_type=FORM)
        return AppReply(raw.status, raw.body)

    def send_event(self, *, team_id: str, event: dict[str, Any]) -> AppReply:
        """Deliver an Events API ``event_callback`` wrapping ``event`` (``event_ts`` added when missing)."""
        link = self._require_link()
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            event = {"event_ts": self._state.next_ts(), **event}
            body = payloads.event_envelope(
                workspace, event=event, event_id=self._state.new_id("Ev"), event_time=int(self._state.now())
            )
        raw = link.post(body, content_type=JSON)
        return AppReply(raw.status, raw.body)

    def open_home(self, *, team_id: str, user_id: str) -> AppReply:
        """The user opens the app's Home tab: an ``app_home_opened`` event with ``tab: home``."""
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            channel = self._state.open_im(workspace, user_id)
            home = self._state.homes.get((team_id, user_id))
            event: dict[str, Any] = {
                "type": "app_home_opened",
                "user": user_id,
                "channel": channel.id,
                "tab": "home",
            }
            if home is not None:
                event["view"] = home.to_api()
        return self.send_event(team_id=team_id, event=event)

    def send_options_request(
        self,
        *,
        team_id: str,
        user_id: str,
        action_id: str,
        value: str = "",
        block_id: str | None = None,
        message: Message | dict[str, Any] | str | None = None,
        view: View | str | None = None,
    ) -> AppReply:
        """Ask the app for external-select options (``block_suggestion``) as the user types ``value``."""
        link = self._require_link()
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            body = payloads.block_suggestion(
                workspace,
                user_id=user_id,
                action_id=action_id,
                block_id=block_id,
                value=value,
                message=self._message(message),
                view=self._view(view),
            )
        raw = link.post(body, content_type=FORM, url=link.options_url)
        return AppReply(raw.status, raw.body)
