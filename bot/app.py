"""`create_app(settings, services)`: the Bolt app (single workspace, multi-workspace OAuth or Socket Mode)."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.listeners import register_listeners
from bot.listeners.commands import CommandTable
from bot.listeners.context import request_context_middleware
from bot.settings import Settings
from bot.slack import DatabaseInstallationStore, DatabaseStateStore
from bot.wiring import Services

__all__ = ["BOT_SCOPES", "create_app"]

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
]


def create_app(
    settings: Settings, services: Services, *, process_before_response: bool = False
) -> tuple[App, CommandTable]:
    """Build the Bolt app and register every listener; returns it with its command table."""
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    if settings.slack_client_id and settings.slack_client_secret:
        oauth = OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            scopes=BOT_SCOPES,
            installation_store=DatabaseInstallationStore(services),
            state_store=DatabaseStateStore(services),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
            redirect_uri=settings.hilal_public_url.rstrip("/") + "/slack/oauth_redirect",
            authorization_url=settings.slack_api_url.rstrip("/").removesuffix("/api") + "/oauth/v2/authorize",
        )
        app = App(
            signing_secret=signing_secret,
            oauth_settings=oauth,
            process_before_response=process_before_response,
            client=WebClient(base_url=settings.slack_api_url, retry_handlers=services.slack.retry_handlers),
        )
    else:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        app = App(
            signing_secret=signing_secret,
            process_before_response=process_before_response,
            client=WebClient(
                token=token, base_url=settings.slack_api_url, retry_handlers=services.slack.retry_handlers
            ),
            token_verification_enabled=False,
        )
    table = register_listeners(app)  # registers the VERIFIED marker first
    # After Bolt's signature check and the marker: services, ids and a unit of work in `context`.
    app.use(request_context_middleware(services))
    return app, table
