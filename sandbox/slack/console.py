"""The browser console's HTTP side: the page, its static files, and a small JSON API.

``GET /console/state`` returns what one seat (team, user) sees and long-polls when given ``since``;
``POST /console/{command,message,action,submit,close,home,options}`` turn clicks into the same signed
requests Slack sends (through ``SlackStandIn``'s driver methods); Slack's own commands (``/invite``) are
answered by the stand-in (``sandbox.slack.builtins``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from importlib import resources
from typing import TYPE_CHECKING, Any

from sandbox.httpkit import Request, Response
from sandbox.slack.builtins import run_builtin
from sandbox.slack.console_state import console_state
from sandbox.slack.model import Message

if TYPE_CHECKING:
    from sandbox.slack.standin import SlackStandIn

__all__ = ["ConsoleRoutes"]

STATIC = {
    "console.js": "text/javascript; charset=utf-8",
    "blocks.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
MAX_WAIT = 8.0
_CHANNEL_NAME = re.compile(r"(?<![<\w])#([a-z0-9][a-z0-9_-]{0,79})\b")


def _static(name: str) -> bytes:
    return resources.files("sandbox.slack").joinpath("static", name).read_bytes()


class ConsoleRoutes:
    """Serves the console page and its JSON API for one stand-in."""

    def __init__(self, stand_in: SlackStandIn) -> None:
        self._slack = stand_in
        self._posts = {
            "/console/command": self._command,
            "/console/action": self._action,
            "/console/submit": self._submit,
            "/console/close": self._close,
            "/console/home": self._home,
            "/console/options": self._options,
        }

    def route(self, request: Request) -> Response | None:
        """Answer console paths; None for anything else."""
        path = request.path
        if path in ("/", "/console", "/index.html") and request.method in ("GET", "HEAD"):
            headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
            return Response(200, _static("index.html"), headers)
        if path.startswith("/static/") and path[len("/static/") :] in STATIC:
            name = path[len("/static/") :]
            return Response(200, _static(name), {"Content-Type": STATIC[name], "Cache-Control": "no-store"})
        if path == "/console/state":
            return self._state(request)
        handler = self._posts.get(path)
        if handler is None or request.method != "POST":
            return None
        try:
            body = request.json()
        except ValueError:
            return Response.json({"ok": False, "error": "invalid_json"}, status=400)
        try:
            return Response.json({"ok": True, **handler(body if isinstance(body, dict) else {})})
        except (LookupError, RuntimeError, ValueError) as exc:
            return Response.json({"ok": False, "error": str(exc)}, status=400)

    def _state(self, request: Request) -> Response:
        state = self._slack._state
        since = request.query.get("since")
        wait = min(float(request.query.get("wait", "0") or 0), MAX_WAIT)
        deadline = time.monotonic() + wait
        with state.changed:
            while since is not None and str(state.version) == since:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Response.json({"version": state.version, "unchanged": True})
                state.changed.wait(remaining)
            document = console_state(
                state,
                team_id=request.query.get("team"),
                user_id=request.query.get("user"),
                app_configured=self._slack.app_configured,
            )
        return Response.json(document, headers={"Cache-Control": "no-store"})

    def _command(self, body: dict[str, Any]) -> dict[str, Any]:
        team, user, channel = str(body["team"]), str(body["user"]), str(body["channel"])
        text = str(body.get("text", "")).strip()
        if not text.startswith("/"):
            self._post_as_user(team, user, channel, text)
            return {}
        command, _, rest = text.partition(" ")
        if run_builtin(
            self._slack._state, team_id=team, user_id=user, channel_id=channel, command=command, text=rest
        ):
            return {"status": None}
        if not self._slack.app_configured:
            raise RuntimeError("No app is configured to receive slash commands (configure_app).")
        status, _, _ = self._slack.send_command(
            team_id=team,
            user_id=user,
            channel_id=channel,
            text=self._linked(team, rest.strip()),
            command=command,
        )
        return {"status": status}

    def _linked(self, team: str, text: str) -> str:
        """``#name`` of a channel turned into ``<#C…|name>``, as Slack's composer sends it (escaping on)."""
        state = self._slack._state
        with state.lock:
            workspace = state.workspace(team)

            def link(match: re.Match[str]) -> str:
                channel = workspace.channel(match.group(1))
                return f"<#{channel.id}|{channel.name}>" if channel and not channel.is_im else match.group(0)

            return _CHANNEL_NAME.sub(link, text)

    def _post_as_user(self, team: str, user: str, channel: str, text: str) -> None:
        if not text:
            return
        state = self._slack._state
        with state.lock:
            workspace = state.workspace(team)
            if channel == f"D{user[1:]}":
                state.open_im(workspace, user)
            message = Message(team_id=team, channel=channel, ts="", user=user, text=text, source="user")
            state.add_message(message)

    def _action(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = self._slack.send_block_action(
            team_id=str(body["team"]),
            user_id=str(body["user"]),
            action_id=str(body["action_id"]),
            block_id=body.get("block_id"),
            value=body.get("value"),
            selected_options=body.get("selected_options"),
            message=body.get("message_id"),
            view=body.get("view_id"),
            values=body.get("values") or None,
        )
        return {"status": reply.status}

    def _submit(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = self._slack.send_view_submission(
            team_id=str(body["team"]),
            user_id=str(body["user"]),
            view=str(body["view_id"]),
            values=body.get("values") or None,
        )
        return {"status": reply.status}

    def _close(self, body: dict[str, Any]) -> dict[str, Any]:
        self._slack.send_view_closed(
            team_id=str(body["team"]),
            user_id=str(body["user"]),
            view=str(body["view_id"]),
            is_cleared=bool(body.get("all")),
        )
        return {}

    def _home(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self._slack.app_configured:
            return {"status": None}
        team, user = str(body["team"]), str(body["user"])
        # Slack fires the event without waiting for the app; so does the console.
        threading.Thread(
            target=self._slack.open_home, kwargs={"team_id": team, "user_id": user}, daemon=True
        ).start()
        return {}

    def _options(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = self._slack.send_options_request(
            team_id=str(body["team"]),
            user_id=str(body["user"]),
            action_id=str(body["action_id"]),
            block_id=body.get("block_id"),
            value=str(body.get("value", "")),
            message=body.get("message_id"),
            view=body.get("view_id"),
        )
        try:
            answer = json.loads(reply.body) if reply.body.strip() else {}
        except ValueError:
            answer = {}
        return {"options": answer.get("options"), "option_groups": answer.get("option_groups")}
