"""Connections, profiles and audit events (keyword-only; add/flush, never commit)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import AuditEvent, Connection, Profile

__all__ = ["add_audit", "get_connection", "list_connections", "list_profiles"]


def get_connection(session: Session, *, team_id: str, region: str) -> Connection | None:
    return session.exec(
        select(Connection).where(Connection.team_id == team_id, Connection.region == region)
    ).first()


def list_connections(session: Session, *, team_id: str) -> list[Connection]:
    return list(session.exec(select(Connection).where(Connection.team_id == team_id)).all())


def list_profiles(
    session: Session, *, connection_id: int, include_removed: bool = False
) -> Sequence[Profile]:
    stmt = select(Profile).where(Profile.connection_id == connection_id)
    if not include_removed:
        stmt = stmt.where(col(Profile.removed_at).is_(None))
    return session.exec(stmt.order_by(col(Profile.account_name), col(Profile.country_code))).all()


def add_audit(
    session: Session, *, team_id: str, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    session.add(
        AuditEvent(
            team_id=team_id,
            actor=actor,
            action=action,
            created_at=now,
            detail_json=json.dumps(detail, sort_keys=True, default=str),
        )
    )
