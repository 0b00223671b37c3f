"""Slack Web API clients per team.

`SlackGateway` hands out a `WebClient` for a team (the configured bot token in single-workspace mode,
or the installation's token from the database in multi-workspace mode), and the services' ports over it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.settings import Settings
from bot.slack.retry import ConnectionRetry, RateLimitRetry
from bot.slack.workspace import WebClientWorkspace
from storage.crypto import SecretContext, TokenCipher
from storage.db import session_scope
from storage.models import Workspace

__all__ = ["SlackGateway", "bot_token_context"]


def bot_token_context(team_id: str, enterprise_id: str) -> SecretContext:
    return SecretContext("slack-bot-token", team_id, "", enterprise_id, row=f"workspace {team_id}")


class SlackGateway:
    """Slack Web API clients per team.

    Its default retry handlers (refused connections twice, 429s three times after `Retry-After`) wait
    through `sleep`, read at each wait: tests set it to record the waits instead of sleeping.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        cipher: TokenCipher,
        retry_handlers: Sequence[RetryHandler] | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._cipher = cipher
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], WebClient] = {}
        self.sleep: Callable[[float], None] = time.sleep
        self.retry_handlers: list[RetryHandler] = (
            list(retry_handlers)
            if retry_handlers is not None
            else [
                ConnectionRetry(max_retry_count=2, sleep=self._wait),
                RateLimitRetry(max_retry_count=3, sleep=self._wait),
            ]
        )

    def _wait(self, seconds: float) -> None:
        self.sleep(seconds)

    def __repr__(self) -> str:
        return "SlackGateway()"

    @property
    def api_url(self) -> str:
        return self._settings.slack_api_url

    def _token_for(self, team_id: str, enterprise_id: str) -> str | None:
        if self._settings.slack_bot_token and not self._settings.slack_client_id:
            return self._settings.slack_bot_token.get_secret_value()
        with session_scope(self._engine, readonly=True) as session:
            ws = session.exec(
                select(Workspace).where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_(None))  # type: ignore[union-attr]
            ).first()
        if ws is None or ws.bot_token_enc is None:
            return None
        return self._cipher.decrypt(ws.bot_token_enc, bot_token_context(ws.team_id, ws.enterprise_id))

    def client_for(self, team_id: str, enterprise_id: str = "") -> WebClient:
        """A WebClient with the team's bot token (cached per team)."""
        key = (team_id, enterprise_id)
        with self._lock:
            client = self._clients.get(key)
        if client is None:
            client = WebClient(
                token=self._token_for(team_id, enterprise_id),
                base_url=self.api_url,
                retry_handlers=list(self.retry_handlers),
            )
            with self._lock:
                self._clients[key] = client
        return client

    def workspace(self, team_id: str, enterprise_id: str = "") -> WebClientWorkspace:
        """The team's Slack as services use it (`WorkspaceDirectory`, `ChannelPoster`)."""
        return WebClientWorkspace(self.client_for(team_id, enterprise_id))

    def forget(self, team_id: str, enterprise_id: str = "") -> None:
        """Drop a cached client (after uninstall or token change)."""
        with self._lock:
            self._clients.pop((team_id, enterprise_id), None)
