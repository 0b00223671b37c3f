"""A campaign's live-edit history (its own changes and its ad groups' and keywords'), from the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.repositories.edits import edit_events

__all__ = ["HistoryEntry", "campaign_history"]


@dataclass(frozen=True)
class HistoryEntry:
    """One change: who, when, which entity, before → after, and Amazon's answer (`ok`, `amazon`)."""

    at: datetime
    actor: str
    batch_id: int | None
    entity_type: str
    entity_name: str
    field: str
    before: str
    after: str
    currency: str
    ok: bool
    amazon: str
    undo_of: int | None


def campaign_history(
    session: Session, *, team_id: str, campaign_pk: int, limit: int = 10
) -> list[HistoryEntry]:
    """The newest `limit` live edits of a campaign, newest first."""
    return [
        _entry(event.created_at, event.actor, json.loads(event.detail_json))
        for event in edit_events(session, team_id=team_id, campaign_pk=campaign_pk, limit=limit)
    ]


def _entry(at: datetime, actor: str, detail: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        at=at,
        actor=actor,
        batch_id=detail.get("batch_id"),
        entity_type=str(detail.get("entity_type", "")),
        entity_name=str(detail.get("entity_name", "")),
        field=str(detail.get("field", "")),
        before=str(detail.get("before", "")),
        after=str(detail.get("after", "")),
        currency=str(detail.get("currency", "")),
        ok=bool(detail.get("ok")),
        amazon=str(detail.get("amazon") or ""),
        undo_of=detail.get("undo_of"),
    )
