"""Which Slack teams Hilal knows, for operators (`hilal teams`): their names and region connections."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Connection, Workspace

__all__ = ["list_all_connections", "team_names"]


def list_all_connections(session: Session) -> list[Connection]:
    """Every connection of every team, by team id then region."""
    stmt = select(Connection).order_by(col(Connection.team_id), col(Connection.region))
    return list(session.exec(stmt).all())


def team_names(session: Session) -> dict[str, str]:
    """Team id → workspace name, for teams installed through Slack OAuth (others have no stored name)."""
    return {ws.team_id: ws.team_name for ws in session.exec(select(Workspace)).all()}
