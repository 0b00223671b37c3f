"""``auth.test``, ``users.info``, ``conversations.*``, ``team.info`` and ``oauth.v2.access``."""

from __future__ import annotations

import base64
from typing import Any

from sandbox.slack.webapi import ApiContext, ApiError, Method

__all__ = ["METHODS", "OAuthClient"]


class OAuthClient:
    """The app's Slack OAuth credentials, as configured with ``SlackStandIn.configure_oauth``."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._client_secret = client_secret

    def matches(self, client_id: str | None, client_secret: str | None) -> bool:
        """Whether the given credentials are this client's."""
        return client_id == self.client_id and client_secret == self._client_secret

    def __repr__(self) -> str:
        return f"OAuthClient(client_id={self.client_id!r}, client_secret='***')"


def api_test(ctx: ApiContext) -> dict[str, Any]:
    """api.test: echoes its arguments."""
    return {"ok": True, "args": {k: v for k, v in ctx.args.items() if k != "token"}}


def auth_test(ctx: ApiContext) -> dict[str, Any]:
    """auth.test for the bot token."""
    ws = ctx.workspace
    return {
        "ok": True,
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.name,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": ws.app_id,
        "enterprise_id": ws.enterprise_id,
        "is_enterprise_install": False,
    }


def users_info(ctx: ApiContext) -> dict[str, Any]:
    """users.info with ``tz``, ``tz_label``, ``tz_offset``, ``is_admin``, ``is_owner``."""
    if "users:read" not in ctx.workspace.scopes:
        raise ApiError("missing_scope", body={"ok": False, "error": "missing_scope", "needed": "users:read"})
    user = ctx.user(ctx.arg("user"))
    return {"ok": True, "user": user.to_api(team_id=ctx.workspace.team_id, now=ctx.now())}


def conversations_info(ctx: ApiContext) -> dict[str, Any]:
    """conversations.info: private channels the bot is not in are invisible."""
    channel = ctx.workspace.channel(str(ctx.arg("channel")))
    if channel is None or (channel.is_private and not channel.bot_is_member):
        raise ApiError("channel_not_found")
    return {"ok": True, "channel": channel.to_api()}


def conversations_open(ctx: ApiContext) -> dict[str, Any]:
    """conversations.open for a DM with one user."""
    users = [u for u in str(ctx.arg("users")).split(",") if u]
    if len(users) != 1:
        raise ApiError("not_implemented" if users else "users_list_not_supplied")
    user = ctx.user(users[0])
    existed = ctx.workspace.im_for(user.id) is not None
    channel = ctx.state.open_im(ctx.workspace, user.id)
    ctx.state.touch()
    body: dict[str, Any] = {"ok": True, "channel": {"id": channel.id}}
    if existed:
        body["already_open"] = True
        body["no_op"] = True
    return body


def conversations_join(ctx: ApiContext) -> dict[str, Any]:
    """conversations.join: public channels only."""
    channel = ctx.workspace.channel(str(ctx.arg("channel")))
    if channel is None or (channel.is_private and not channel.bot_is_member):
        raise ApiError("channel_not_found")
    if channel.is_archived:
        raise ApiError("is_archived")
    if channel.is_private or channel.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    channel.bot_is_member = True
    ctx.state.touch()
    return {"ok": True, "channel": channel.to_api()}


def team_info(ctx: ApiContext) -> dict[str, Any]:
    """team.info."""
    ws = ctx.workspace
    return {"ok": True, "team": {"id": ws.team_id, "name": ws.name, "domain": ws.domain}}


def _client_credentials(ctx: ApiContext) -> tuple[str | None, str | None]:
    client_id, client_secret = ctx.opt("client_id"), ctx.opt("client_secret")
    if client_id is None and ctx.basic_auth:
        decoded = base64.b64decode(ctx.basic_auth).decode("utf-8")
        client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


def oauth_v2_access(ctx: ApiContext) -> dict[str, Any]:
    """oauth.v2.access: exchanges a code minted by the install page (or ``issue_oauth_code``)."""
    client: OAuthClient | None = ctx.oauth_client
    client_id, client_secret = _client_credentials(ctx)
    if client is None or not client.matches(client_id, client_secret):
        raise ApiError(
            "invalid_client_id" if client is None or client_id != client.client_id else "bad_client_secret"
        )
    grant = ctx.state.oauth_codes.pop(str(ctx.arg("code")), None)
    if grant is None:
        raise ApiError("invalid_code")
    team_id, user_id = grant
    ws = ctx.state.workspace(team_id)
    token = f"xoxb-{team_id}-{ctx.state.new_id('').lower()}"
    ws.extra_tokens.append(token)
    ctx.state.touch()
    return {
        "ok": True,
        "app_id": ws.app_id,
        "authed_user": {"id": user_id},
        "scope": ",".join(ws.scopes),
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": ws.bot_user_id,
        "team": {"id": ws.team_id, "name": ws.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }


METHODS: dict[str, Method] = {
    "api.test": api_test,
    "auth.test": auth_test,
    "users.info": users_info,
    "conversations.info": conversations_info,
    "conversations.open": conversations_open,
    "conversations.join": conversations_join,
    "team.info": team_info,
    "oauth.v2.access": oauth_v2_access,
}
