"""Web API dispatch: authentication, injected faults, channel pacing, recording, the method table.

Each method is a function ``(ApiContext) -> dict`` that raises ``ApiError`` for Slack's
``{"ok": false, "error": ...}`` answers. The methods themselves live in ``api_chat.py``,
``api_views.py`` and ``api_misc.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.httpkit import Request, Response
from sandbox.slack.limits import Verdict
from sandbox.slack.model import Call, Channel, Notice, Workspace
from sandbox.slack.state import SlackState

__all__ = ["ApiContext", "ApiError", "Method", "dispatch"]

NO_AUTH_METHODS = frozenset({"oauth.v2.access", "api.test"})
PACED_METHODS = frozenset({"chat.postMessage"})
SECRET_ARGS = frozenset({"client_secret", "refresh_token", "code"})


class ApiError(Exception):
    """A failing Web API answer."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.body = body if body is not None else {"ok": False, "error": error}
        self.headers = headers or {}


@dataclass
class ApiContext:
    """Everything a method needs: state, the caller's workspace, its arguments."""

    state: SlackState
    workspace: Workspace
    token: str | None
    args: dict[str, Any]
    base_url: str
    method: str
    basic_auth: str | None = None
    oauth_client: Any = None

    def arg(self, name: str) -> Any:
        """A required argument (``invalid_arguments`` when missing)."""
        value = self.args.get(name)
        if value is None or value == "":
            raise ApiError(
                "invalid_arguments",
                body={
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {"messages": [f"[ERROR] missing required field: {name}"]},
                },
            )
        return value

    def opt(self, name: str, default: Any = None) -> Any:
        """An optional argument."""
        value = self.args.get(name)
        return default if value is None or value == "" else value

    def json_arg(self, name: str, default: Any = None) -> Any:
        """An argument that may arrive as a JSON string in form bodies."""
        value = self.args.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return default if value is None or value == "" else value

    def flag(self, name: str) -> bool:
        """A boolean argument (``true``/``1`` in form bodies)."""
        value = self.args.get(name)
        return value is True or str(value).lower() in ("1", "true")

    def now(self) -> float:
        """The stand-in's clock."""
        return self.state.now()

    def user(self, user_id: str) -> Any:
        """A user of the caller's workspace (``user_not_found`` otherwise)."""
        user = self.workspace.user(str(user_id))
        if user is None:
            raise ApiError("user_not_found")
        return user

    def channel_for_post(self, channel_arg: Any) -> Channel:
        """Resolve ``channel`` for posting: DM by user id, membership, archive and privacy rules."""
        value = str(channel_arg)
        if value[:1] in ("U", "W") and self.workspace.user(value) is not None:
            return self.state.open_im(self.workspace, value)
        channel = self.workspace.channel(value)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        if channel.is_archived:
            raise ApiError("is_archived")
        if (
            not channel.bot_is_member
            and not channel.is_im
            and "chat:write.public" not in self.workspace.scopes
        ):
            raise ApiError("not_in_channel")
        return channel

    def reject(self, verdict: Verdict, *, channel: str | None, user_id: str | None = None) -> ApiError:
        """Record a content rejection the console can show, and return the error to raise."""
        self.state.add_notice(
            Notice(
                team_id=self.workspace.team_id,
                user_id=user_id,
                channel=channel,
                kind="api",
                title=f"{self.method} was rejected",
                error=str(verdict.error),
                details=tuple(verdict.messages),
                payload={k: v for k, v in self.args.items() if k != "token"},
                ts=self.now(),
            )
        )
        return ApiError(str(verdict.error), body=verdict.to_api())


Method = Callable[[ApiContext], dict[str, Any]]


def _token(request: Request, args: dict[str, Any]) -> str | None:
    auth = request.header("authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    token = args.pop("token", None)
    return str(token) if token else None


def _basic_auth(request: Request) -> str | None:
    auth = request.header("authorization") or ""
    return auth[6:].strip() if auth.lower().startswith("basic ") else None


def _redacted(args: dict[str, Any]) -> dict[str, Any]:
    return {k: ("***" if k in SECRET_ARGS else v) for k, v in args.items()}


def _authenticate(state: SlackState, method: str, token: str | None) -> Workspace | None:
    if method in NO_AUTH_METHODS:
        return None
    if token is None:
        raise ApiError("not_authed")
    if token in state.revoked_tokens:
        raise ApiError("token_revoked")
    workspace = state.workspace_for_token(token)
    if workspace is None:
        raise ApiError("invalid_auth")
    return workspace


def _apply_faults(state: SlackState, method: str) -> None:
    fault = state.take_fault(method)
    if fault is None:
        return
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    raise ApiError(fault.error, status=fault.status, headers=headers)


def _pace(state: SlackState, method: str, args: dict[str, Any], pacing: float | None) -> None:
    if pacing is None or method not in PACED_METHODS:
        return
    key = str(args.get("channel"))
    now = state.now()
    last = state.last_post_at.get(key)
    if last is not None and now - last < pacing:
        raise ApiError("ratelimited", status=429, headers={"Retry-After": "1"})
    state.last_post_at[key] = now


def dispatch(
    state: SlackState,
    request: Request,
    *,
    method: str,
    methods: dict[str, Method],
    base_url: str,
    pacing: float | None,
    oauth_client: Any = None,
) -> Response:
    """Answer one Web API request and record it."""
    try:
        args = request.params()
    except ValueError:
        args = {}
    token = _token(request, args)
    team_id: str | None = None
    workspace: Workspace | None = None
    with state.lock:
        try:
            if method not in methods:
                raise ApiError("unknown_method")
            workspace = _authenticate(state, method, token)
            team_id = workspace.team_id if workspace else None
            _apply_faults(state, method)
            _pace(state, method, args, pacing)
            ctx = ApiContext(
                state,
                workspace or Workspace("", "", ""),
                token,
                args,
                base_url,
                method,
                basic_auth=_basic_auth(request),
                oauth_client=oauth_client,
            )
            body, status, headers = methods[method](ctx), 200, {}
        except ApiError as exc:
            body, status, headers = exc.body, exc.status, exc.headers
        call = Call(
            method,
            _redacted(args),
            token,
            state.now(),
            team_id,
            bool(body.get("ok")),
            body.get("error"),
            status,
            body,
        )
        state.record_call(call)
    if method == "auth.test" and body.get("ok") and workspace is not None:
        headers = {**headers, "X-OAuth-Scopes": ",".join(workspace.scopes)}
    return Response.json(body, status=status, headers=headers)
