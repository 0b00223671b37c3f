"""``SlackStandIn``: a local Slack for tests and local mode.

A real HTTP server (port 0 by default) with the Web API subset Hilal calls at ``{base}/api/<method>``,
the ``response_url`` sink at ``{base}/webhook/<id>``, the file upload URL, an install page, and the
browser console at ``{base}/``. It records everything, injects faults, and sends signed requests to
the app (see ``driver.AppDriver``).

    slack = SlackStandIn.with_demo_workspace()
    with slack:
        client = WebClient(token="xoxb-demo-T0DEMO", base_url=slack.api_url)
"""

from __future__ import annotations

import copy
import mimetypes
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.httpkit import HttpServer, Request, Response
from sandbox.slack import api_chat, api_misc, api_views, persist
from sandbox.slack.api_misc import OAuthClient
from sandbox.slack.clock import Clock, SystemClock
from sandbox.slack.demo import demo_workspace
from sandbox.slack.driver import AppDriver
from sandbox.slack.install import handle_authorize
from sandbox.slack.model import Call, Channel, Message, Notice, Upload, User, View, WebhookPost, Workspace
from sandbox.slack.state import Fault, SlackState
from sandbox.slack.webapi import Method, dispatch
from sandbox.slack.webhook import handle_webhook

__all__ = ["SlackStandIn"]

METHODS: dict[str, Method] = {**api_chat.METHODS, **api_views.METHODS, **api_misc.METHODS}
Route = Callable[[Request], Response | None]


def _fatal_error(_request: Request) -> Response:
    """What Slack answers when something breaks on its side."""
    return Response.json({"ok": False, "error": "fatal_error"}, status=500)


class SlackStandIn(AppDriver):
    """A local Slack: Web API, response URLs, uploads, console, and a signed-request sender."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        app_timeout: float = 10.0,
        channel_pacing: float | None = None,
        console: bool = True,
        state_file: Path | None = None,
    ) -> None:
        """Create a stopped stand-in.

        Args:
            clock: time source for trigger ids, response URLs and pacing (``ManualClock`` in tests).
            host: interface to bind.
            port: port to bind; 0 picks a free one.
            app_timeout: seconds to wait for the app's answer to a request the stand-in sends.
            channel_pacing: if set, ``chat.postMessage`` to one channel more often than once per this many
                seconds answers 429 with ``Retry-After`` (Slack's ~1 message/s/channel rule).
            console: serve the browser console at ``/``.
            state_file: start from this file's world when it exists, and keep it up to date while serving
                (local mode); see ``sandbox.slack.persist`` for what lasts.

        Raises:
            sandbox.statefile.StateFileError: ``state_file`` exists but cannot be loaded.
        """
        self._state = SlackState(clock or SystemClock())
        self._saver = persist.load(self._state, state_file) if state_file is not None else None
        self._server = HttpServer(
            self._route, host=host, port=port, name="slack-standin", on_error=_fatal_error
        )
        self._link = None
        self._app_timeout = app_timeout
        self._pacing = channel_pacing
        self._oauth: OAuthClient | None = None
        self._console_route: Route | None = None
        if console:
            from sandbox.slack.console import ConsoleRoutes

            self._console_route = ConsoleRoutes(self).route

    @classmethod
    def with_demo_workspace(cls, **kwargs: Any) -> SlackStandIn:
        """A stand-in holding the demo workspace T0DEMO "Demo Co" (token ``xoxb-demo-T0DEMO``)."""
        stand_in = cls(**kwargs)
        demo = demo_workspace()
        if demo.team_id not in stand_in._state.workspaces:  # a restored world already holds it
            stand_in.add(demo)
        return stand_in

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        """Start serving in a daemon thread; returns self."""
        self._server.start()
        if self._saver is not None:
            self._saver.start().poke()
        return self

    def stop(self) -> None:
        """Stop serving; with a state file, write it one last time."""
        self._server.stop()
        if self._saver is not None:
            self._saver.stop()

    def serve_forever(self) -> None:
        """Serve in the calling thread (local mode) until interrupted."""
        self._server.serve_forever()

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, the console's address."""
        return self._server.url

    @property
    def api_url(self) -> str:
        """``{base_url}/api/``: give it to ``WebClient(base_url=...)`` / ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    # workspaces -------------------------------------------------------------------------------

    def add(self, workspace: Workspace) -> Workspace:
        """Add a prepared ``Workspace``."""
        with self._state.lock:
            if workspace.team_id in self._state.workspaces:
                raise ValueError(f"team {workspace.team_id!r} already exists")
            self._state.workspaces[workspace.team_id] = workspace
            self._state.touch()
        return workspace

    def add_workspace(
        self,
        *,
        team_id: str,
        name: str,
        bot_token: str,
        users: Iterable[User | Mapping[str, Any]] = (),
        channels: Iterable[Channel | Mapping[str, Any]] = (),
        **options: Any,
    ) -> Workspace:
        """Add a team; ``users``/``channels`` are ``User``/``Channel`` objects or dicts of their fields.

        ``options`` are further ``Workspace`` fields: ``scopes``, ``home_tab_enabled``, ``bot_user_id``…
        """
        workspace = Workspace(team_id, name, bot_token, list(users), list(channels), **options)  # type: ignore[arg-type]
        return self.add(workspace)

    def workspace(self, team_id: str) -> Workspace:
        """The live ``Workspace`` (change channels or users on it between calls, not during them)."""
        with self._state.lock:
            return self._state.workspace(team_id)

    def add_user(self, team_id: str, user: User | Mapping[str, Any]) -> User:
        """Add a member to a team."""
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            workspace.users.append(user if isinstance(user, User) else User(**user))
            self._state.touch()
            return workspace.users[-1]

    def add_channel(self, team_id: str, channel: Channel | Mapping[str, Any]) -> Channel:
        """Add a channel to a team."""
        with self._state.lock:
            workspace = self._state.workspace(team_id)
            workspace.channels.append(channel if isinstance(channel, Channel) else Channel(**channel))
            self._state.touch()
            return workspace.channels[-1]

    # records ----------------------------------------------------------------------------------

    def calls(self, method: str | None = None, *, team_id: str | None = None) -> list[Call]:
        """Web API calls answered so far, oldest first (optionally one method / one team)."""
        with self._state.lock:
            return [
                c
                for c in self._state.calls
                if (method is None or c.method == method) and (team_id is None or c.team_id == team_id)
            ]

    def messages(
        self, channel: str, *, team_id: str | None = None, include_deleted: bool = False
    ) -> list[Message]:
        """Non-ephemeral messages in ``channel`` (id or ``#name``), thread replies included, oldest first."""
        with self._state.lock:
            found = self._state.find_channel(channel, team_id)
            channel_id = found[1].id if found else channel
            return [
                copy.deepcopy(m)
                for m in self._state.messages
                if m.channel == channel_id
                and not m.is_ephemeral
                and (include_deleted or not m.deleted)
                and (team_id is None or m.team_id == team_id)
            ]

    def ephemerals(
        self, user: str, *, channel: str | None = None, include_deleted: bool = False
    ) -> list[Message]:
        """Ephemeral messages shown to ``user`` (optionally in one channel), oldest first."""
        with self._state.lock:
            found = self._state.find_channel(channel) if channel else None
            channel_id = found[1].id if found else channel
            return [
                copy.deepcopy(m)
                for m in self._state.messages
                if m.ephemeral_to == user
                and (channel_id is None or m.channel == channel_id)
                and (include_deleted or not m.deleted)
            ]

    def home(self, user: str, *, team_id: str | None = None) -> View | None:
        """The Home tab view last published for ``user``."""
        with self._state.lock:
            for (team, user_id), view in self._state.homes.items():
                if user_id == user and (team_id is None or team == team_id):
                    return copy.deepcopy(view)
        return None

    def open_views(self, user: str, *, team_id: str | None = None) -> list[View]:
        """The user's modal stack, bottom first (empty when no modal is open)."""
        with self._state.lock:
            for (team, user_id), stack in self._state.stacks.items():
                if user_id == user and (team_id is None or team == team_id) and stack:
                    return copy.deepcopy(stack)
        return []

    def webhook_posts(self, response_url: str | None = None) -> list[WebhookPost]:
        """Posts to response URLs (one URL, or all), accepted or not."""
        with self._state.lock:
            return [p for p in self._state.webhook_posts if response_url is None or p.url == response_url]

    def notices(self, *, team_id: str | None = None) -> list[Notice]:
        """Errors Slack would have shown: rejected posts and views, failed or slow app requests."""
        with self._state.lock:
            return [n for n in self._state.notices if team_id is None or n.team_id == team_id]

    def file(self, file_id: str) -> Upload:
        """An uploaded file (KeyError when unknown)."""
        with self._state.lock:
            return copy.deepcopy(self._state.uploads[file_id])

    def reset_records(self) -> None:
        """Forget calls, messages, views, webhook posts, notices and faults; keep workspaces."""
        with self._state.lock:
            state = self._state
            for collection in (state.calls, state.messages, state.echoes, state.webhook_posts, state.notices):
                collection.clear()
            for mapping in (state.homes, state.stacks, state.views, state.surface_values, state.triggers):
                mapping.clear()
            state.faults.clear()
            state.scheduled.clear()
            state.last_post_at.clear()
            state.touch()

    # waiting (for listeners running in other threads) -----------------------------------------

    def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` is true (re-checked on every change); False after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._state.changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._state.changed.wait(remaining)
        return True

    def wait_for_calls(self, method: str, count: int = 1, *, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times; return those calls (TimeoutError otherwise)."""
        if not self.wait_for(lambda: len(self.calls(method)) >= count, timeout=timeout):
            raise TimeoutError(f"{method} called {len(self.calls(method))} times, expected {count}")
        return self.calls(method)

    # faults -----------------------------------------------------------------------------------

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer HTTP 429 ``ratelimited`` with ``Retry-After``."""
        with self._state.lock:
            self._state.faults.append(Fault(method, times, "ratelimited", 429, retry_after))

    def fail(
        self, method: str, *, error: str = "channel_not_found", times: int = 1, status: int = 200
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        with self._state.lock:
            self._state.faults.append(Fault(method, times, error, status))

    def revoke_token(self, token: str) -> None:
        """Calls with ``token`` answer ``token_revoked`` from now on."""
        with self._state.lock:
            self._state.revoked_tokens.add(token)

    # OAuth installs ---------------------------------------------------------------------------

    def configure_oauth(self, *, client_id: str, client_secret: str) -> None:
        """Accept ``oauth.v2.access`` for this client; the consent page is ``{base}/oauth/v2/authorize``."""
        self._oauth = OAuthClient(client_id, client_secret)

    @property
    def authorize_url(self) -> str:
        """Slack's ``/oauth/v2/authorize`` equivalent (Bolt: ``OAuthSettings(authorization_url=...)``)."""
        return f"{self.base_url}/oauth/v2/authorize"

    def issue_oauth_code(self, *, team_id: str, user_id: str) -> str:
        """Mint a one-time code as if ``user_id`` approved the install in ``team_id``."""
        with self._state.lock:
            self._state.workspace(team_id)
            code = self._state.new_id("code-").lower()
            self._state.oauth_codes[code] = (team_id, user_id)
            return code

    # scheduled messages -----------------------------------------------------------------------

    def scheduled_messages(self) -> list[tuple[str, int, Message]]:
        """``(scheduled_message_id, post_at, message)`` still waiting."""
        with self._state.lock:
            return [(s.id, s.post_at, copy.deepcopy(s.message)) for s in self._state.scheduled]

    def deliver_scheduled(self) -> list[Message]:
        """Post every scheduled message whose ``post_at`` has come (by the stand-in's clock)."""
        with self._state.lock:
            due = [s for s in self._state.scheduled if s.post_at <= self._state.now()]
            for item in due:
                self._state.scheduled.remove(item)
                self._state.add_message(item.message)
            return [copy.deepcopy(s.message) for s in due]

    # HTTP routing -----------------------------------------------------------------------------

    def _route(self, request: Request) -> Response:
        try:
            return self._answer(request)
        finally:
            if self._saver is not None:
                self._saver.poke()

    def _answer(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/api/"):
            return dispatch(
                self._state,
                request,
                method=path[len("/api/") :],
                methods=METHODS,
                base_url=self.base_url,
                pacing=self._pacing,
                oauth_client=self._oauth,
            )
        if path.startswith("/webhook/") and request.method == "POST":
            return handle_webhook(self._state, request, path.rsplit("/", 1)[-1])
        if path.startswith("/upload/") and request.method == "POST":
            return self._receive_upload(path.rsplit("/", 1)[-1], request.body)
        if path.startswith("/files/"):
            return self._serve_file(path.split("/")[2])
        if path == "/oauth/v2/authorize":
            return handle_authorize(
                self._state, request, client_id=self._oauth.client_id if self._oauth else None
            )
        if self._console_route is not None:
            answer = self._console_route(request)
            if answer is not None:
                return answer
        return Response.text("not found", status=404)

    def _receive_upload(self, file_id: str, data: bytes) -> Response:
        with self._state.lock:
            upload = self._state.uploads.get(file_id)
            if upload is None:
                return Response.text("not found", status=404)
            upload.data = data
            self._state.touch()
        return Response.text(f"OK - {len(data)}")

    def _serve_file(self, file_id: str) -> Response:
        with self._state.lock:
            upload = self._state.uploads.get(file_id)
            if upload is None or upload.data is None:
                return Response.text("not found", status=404)
            kind = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
            return Response(200, upload.data, {"Content-Type": kind})
