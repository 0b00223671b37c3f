"""What a team adds on top of synced data: tags, notes, saved views and remembered filters.

Keyword-only functions taking a session; they add/flush, never commit. Nothing here is touched by a
sync, so it all survives disconnect and reconnect (rows point at campaign ids, which are reused).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from storage.models import Note, SavedView, Tag, UserFilterState

__all__ = [
    "add_note",
    "add_tag",
    "delete_saved_view",
    "get_user_filter",
    "list_saved_views",
    "notes_of",
    "remove_tag",
    "save_view",
    "set_user_filter",
]


def add_tag(
    session: Session, *, team_id: str, campaign_pk: int, tag: str, user_id: str, now: datetime
) -> bool:
    """Tag a campaign; False when it already had the tag."""
    existing = session.exec(
        sm_select(Tag).where(Tag.campaign_pk == campaign_pk, Tag.tag == tag, Tag.team_id == team_id)
    ).first()
    if existing is not None:
        return False
    session.add(Tag(team_id=team_id, campaign_pk=campaign_pk, tag=tag, created_by=user_id, created_at=now))
    session.flush()
    return True


def remove_tag(session: Session, *, team_id: str, campaign_pk: int, tag: str) -> bool:
    """Untag a campaign; False when it did not have the tag."""
    existing = session.exec(
        sm_select(Tag).where(Tag.campaign_pk == campaign_pk, Tag.tag == tag, Tag.team_id == team_id)
    ).first()
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    return True


def add_note(
    session: Session, *, team_id: str, campaign_pk: int, author_id: str, text: str, now: datetime
) -> Note:
    """Add a note (with its author) to a campaign."""
    note = Note(team_id=team_id, campaign_pk=campaign_pk, author_id=author_id, text=text, created_at=now)
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, *, team_id: str, campaign_pk: int, limit: int = 10) -> list[Note]:
    """Newest notes first."""
    stmt = (
        sm_select(Note)
        .where(Note.team_id == team_id, Note.campaign_pk == campaign_pk)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())


# --- remembered filters and saved views ------------------------------------------------------------------


def get_user_filter(session: Session, *, team_id: str, user_id: str) -> str | None:
    """The user's remembered filter JSON, or None."""
    row = session.exec(
        sm_select(UserFilterState).where(
            UserFilterState.team_id == team_id, UserFilterState.user_id == user_id
        )
    ).first()
    return row.filter_json if row else None


def set_user_filter(session: Session, *, team_id: str, user_id: str, filter_json: str, now: datetime) -> None:
    """Remember the user's filter (insert or update)."""
    row = session.exec(
        sm_select(UserFilterState).where(
            UserFilterState.team_id == team_id, UserFilterState.user_id == user_id
        )
    ).first()
    if row is None:
        row = UserFilterState(team_id=team_id, user_id=user_id, filter_json=filter_json, updated_at=now)
    else:
        row.filter_json, row.updated_at = filter_json, now
    session.add(row)
    session.flush()


def list_saved_views(session: Session, *, team_id: str, user_id: str) -> list[SavedView]:
    """Views the user may open: their own (personal or shared) and everyone's shared ones."""
    stmt = (
        sm_select(SavedView)
        .where(SavedView.team_id == team_id)
        .where(or_(col(SavedView.owner_id) == user_id, col(SavedView.shared).is_(True)))
        .order_by(func.lower(SavedView.name), col(SavedView.id))
    )
    return list(session.exec(stmt).all())


def save_view(
    session: Session, *, team_id: str, owner_id: str, name: str, shared: bool, filter_json: str, now: datetime
) -> tuple[SavedView, bool]:
    """Create the owner's view or replace its filter; returns (view, created)."""
    existing = session.exec(
        sm_select(SavedView).where(
            SavedView.team_id == team_id,
            SavedView.owner_id == owner_id,
            func.lower(SavedView.name) == name.lower(),
        )
    ).first()
    if existing is None:
        view = SavedView(
            team_id=team_id,
            owner_id=owner_id,
            name=name,
            shared=shared,
            filter_json=filter_json,
            created_at=now,
            updated_at=now,
        )
        session.add(view)
        session.flush()
        return view, True
    existing.name, existing.shared, existing.filter_json, existing.updated_at = name, shared, filter_json, now
    session.add(existing)
    session.flush()
    return existing, False


def delete_saved_view(session: Session, *, view: SavedView) -> None:
    """Delete a saved view (the one thing a user deletes: their own bookmark)."""
    session.delete(view)
    session.flush()
