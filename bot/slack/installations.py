"""Multi-workspace installs: Slack's installation and OAuth-state stores on our own tables.

Bot tokens are stored encrypted in `workspace.bot_token_enc`. Slack install states reuse `oauth_state`
(region `sl`), consumed atomically like Amazon's.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import update
from sqlmodel import select

from bot.services.reinstall import resume_after_reinstall
from bot.slack.gateway import bot_token_context
from storage.db import session_scope
from storage.models import Connection, OAuthState, Workspace, table_of

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["DatabaseInstallationStore", "DatabaseStateStore"]


class DatabaseInstallationStore(InstallationStore):
    """Installations in the `workspace` table (one row per team, updated on reinstall)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def save(self, installation: Installation) -> None:
        services, team = self._services, installation.team_id or ""
        enterprise = installation.enterprise_id or ""
        with session_scope(services.engine) as session:
            ws = session.exec(
                select(Workspace).where(Workspace.team_id == team, Workspace.enterprise_id == enterprise)
            ).first() or Workspace(team_id=team, enterprise_id=enterprise)
            ws.team_name = installation.team_name or ""
            ws.bot_user_id, ws.bot_id = installation.bot_user_id or "", installation.bot_id or ""
            ws.bot_scopes = ",".join(installation.bot_scopes or [])
            ws.installer_user_id = installation.user_id
            ws.bot_token_enc = services.cipher.encrypt(
                installation.bot_token or "", bot_token_context(team, enterprise)
            )
            ws.installed_at, ws.uninstalled_at = services.now(), None
            session.add(ws)
            session.execute(
                update(table_of(Connection))
                .where(table_of(Connection).c.team_id == team, table_of(Connection).c.status == "connected")
                .values(next_active_sync_at=services.now())
            )
            resume_after_reinstall(session, team_id=team)
        services.slack.forget(team, enterprise)

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        with session_scope(self._services.engine, readonly=True) as session:
            ws = session.exec(
                select(Workspace).where(
                    Workspace.team_id == (team_id or ""),
                    Workspace.uninstalled_at.is_(None),  # type: ignore[union-attr]
                )
            ).first()
        if ws is None or ws.bot_token_enc is None:
            return None
        token = self._services.cipher.decrypt(
            ws.bot_token_enc, bot_token_context(ws.team_id, ws.enterprise_id)
        )
        return Bot(
            enterprise_id=ws.enterprise_id or None,
            team_id=ws.team_id,
            team_name=ws.team_name,
            bot_token=token,
            bot_id=ws.bot_id,
            bot_user_id=ws.bot_user_id,
            bot_scopes=ws.bot_scopes.split(","),
            installed_at=ws.installed_at.timestamp(),
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        return Installation(
            app_id=None,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id or "",
            installed_at=bot.installed_at,
        )


class DatabaseStateStore(OAuthStateStore):
    """Slack install states: hashed, 10 minutes, single use (atomic consume)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        now = self._services.now()
        with session_scope(self._services.engine) as session:
            session.add(
                OAuthState(
                    state_hash=hashlib.sha256(state.encode()).hexdigest(),
                    team_id="",
                    user_id="",
                    region="sl",
                    code_verifier_enc="",
                    created_at=now,
                    expires_at=now + timedelta(minutes=10),
                )
            )
        return state

    def consume(self, state: str) -> bool:
        table, now = table_of(OAuthState), self._services.now()
        with session_scope(self._services.engine) as session:
            result = session.execute(
                update(table)
                .where(
                    table.c.state_hash == hashlib.sha256(state.encode()).hexdigest(),
                    table.c.region == "sl",
                    table.c.used_at.is_(None),
                    table.c.expires_at > now,
                )
                .values(used_at=now)
            )
        return bool(getattr(result, "rowcount", 0))
