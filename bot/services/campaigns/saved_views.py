"""Saved views: named campaign filters, personal (owner only) or shared with the workspace.

Names are 1 to 80 characters of letters, digits, spaces and ``- _ . & ' ( ) / # +``, compared without
regard to case; in a command, a name with spaces is quoted (``/hilal view "EU + FE top"``). A user's own
view wins over a colleague's shared view of the same name; two colleagues cannot share views of the same
name (opening one would be a guess).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.services.campaigns.filters import CampaignFilter
from bot.services.campaigns.text_input import require_text
from bot.viewmodels import SavedViewVM
from bot.viewmodels.text import channel_mention, mrkdwn_format, user_mention
from storage.models import DigestSubscription, SavedView
from storage.repositories import annotations as notes_repo

__all__ = [
    "RESERVED_NAMES",
    "VIEW_NAME_MAX_LENGTH",
    "delete_view",
    "find_view",
    "list_views",
    "quoted_view_name",
    "save_view",
    "validate_view_name",
    "view_matching",
    "view_vm",
]

VIEW_NAME_MAX_LENGTH = 80
RESERVED_NAMES = frozenset({"save", "list", "delete", "shared"})
_NAME_RE = re.compile(r"^[\w][\w \-.&'()/#+]*$")
_EXAMPLE = "Example: `/hilal view save EU brand shared`"
_UNSUBSCRIBED = "unsubscribed"  # digest_subscriptions.UNSUBSCRIBED (which imports this module)


def validate_view_name(name: str) -> str:
    """The name as stored (spaces collapsed), or a `UsageError` saying what is wrong."""
    clean = " ".join(require_text(name, what="View names", hint=_EXAMPLE).split())
    if not clean:
        raise UsageError("Give the view a name.", hint=_EXAMPLE)
    if len(clean) > VIEW_NAME_MAX_LENGTH:
        raise UsageError(
            f"View names are at most {VIEW_NAME_MAX_LENGTH} characters; this one has {len(clean)}.",
            hint=_EXAMPLE,
        )
    if clean.lower() in RESERVED_NAMES:
        raise UsageError(f"`{clean}` is a command word; choose another name.", hint=_EXAMPLE)
    if not _NAME_RE.match(clean):
        raise UsageError(
            "View names use letters, digits, spaces and - _ . & ' ( ) / # + "
            "(starting with a letter or digit).",
            hint=_EXAMPLE,
        )
    return clean


def quoted_view_name(name: str) -> str:
    """``name`` as it is typed in a command: in double quotes when it holds a space or an apostrophe."""
    return f'"{name}"' if any(ch.isspace() or ch == "'" for ch in name) else name


def view_vm(view: SavedView) -> SavedViewVM:
    """The renderer's view line."""
    flt = CampaignFilter.from_json(view.filter_json)
    return SavedViewVM(name=view.name, shared=view.shared, owner=view.owner_id, filter=flt.to_vm())


def list_views(session: Session, *, team_id: str, user_id: str) -> list[SavedViewVM]:
    """The user's own views and the workspace's shared ones, by name."""
    return [view_vm(v) for v in notes_repo.list_saved_views(session, team_id=team_id, user_id=user_id)]


def view_matching(session: Session, *, team_id: str, user_id: str, filter: CampaignFilter) -> str | None:
    """The name of a view (own first, then shared) whose filter is exactly ``filter``, or None.

    An opened view keeps its name until the user changes a filter or the sort; then the list is no
    longer that view and says so by dropping the name.
    """
    visible = notes_repo.list_saved_views(session, team_id=team_id, user_id=user_id)
    same = [v for v in visible if CampaignFilter.from_json(v.filter_json) == filter]
    own = [v for v in same if v.owner_id == user_id]
    return (own or same)[0].name if same else None


def find_view(session: Session, *, team_id: str, user_id: str, name: str) -> SavedView:
    """The view ``name`` means for this user (own first, then shared).

    Raises:
        NotFound: No such view visible to the user (the hint lists what there is).
    """
    wanted = " ".join(name.split()).lower()
    visible = notes_repo.list_saved_views(session, team_id=team_id, user_id=user_id)
    matches = [v for v in visible if v.name.lower() == wanted]
    own = [v for v in matches if v.owner_id == user_id]
    if own or matches:
        return (own or matches)[0]
    names = ", ".join(f"`{v.name}`" for v in visible[:10])
    hint = f"Your views: {names}." if names else "Save the current filter with `/hilal view save NAME`."
    raise NotFound(f"There is no view called `{name.strip()[:80]}`.", hint=hint)


def save_view(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    name: str,
    shared: bool,
    filter: CampaignFilter,
    now: datetime,
) -> tuple[SavedView, bool]:
    """Save ``filter`` under ``name`` (replacing the user's own view of that name).

    Returns:
        (view, created): created is False when an existing view of the user was updated.

    Raises:
        UsageError: The name breaks the naming rules.
        Conflict: A colleague already shares a view with this name.
    """
    clean = validate_view_name(name)
    if shared:
        clash = session.exec(
            select(SavedView).where(
                SavedView.team_id == team_id,
                SavedView.owner_id != user_id,
                col(SavedView.shared).is_(True),
                func.lower(SavedView.name) == clean.lower(),
            )
        ).first()
        if clash is not None:
            raise Conflict(
                mrkdwn_format(
                    "{owner} already shares a view called `{name}`.",
                    owner=user_mention(clash.owner_id),
                    name=clash.name,
                ),
                hint="Choose another name, or save it as a personal view.",
                title="Name taken",
            )
    return notes_repo.save_view(
        session,
        team_id=team_id,
        owner_id=user_id,
        name=clean,
        shared=shared,
        filter_json=filter.to_json(),
        now=now,
    )


def delete_view(session: Session, *, team_id: str, user_id: str, name: str) -> str:
    """Delete one of the user's own views; returns its name.

    Raises:
        NotFound: No such view.
        NotAllowed: The view is a colleague's shared view.
        Conflict: A digest subscription uses it (unsubscribed ones let go of it).
    """
    view = find_view(session, team_id=team_id, user_id=user_id, name=name)
    if view.owner_id != user_id:
        raise NotAllowed(
            mrkdwn_format(
                "`{name}` belongs to {owner}; only they can delete it.",
                name=view.name,
                owner=user_mention(view.owner_id),
            ),
            hint="You can save your own copy with `/hilal view save NAME` after opening it.",
        )
    subscriptions = session.exec(
        select(DigestSubscription).where(DigestSubscription.view_id == view.id)
    ).all()
    used = next((s for s in subscriptions if s.pause_reason != _UNSUBSCRIBED), None)
    if used is not None:
        channel = channel_mention(used.channel_id)
        raise Conflict(
            mrkdwn_format("The digest in {channel} uses `{name}`.", channel=channel, name=view.name),
            hint=mrkdwn_format(
                "Unsubscribe it first: `/hilal digest unsubscribe` in {channel}.", channel=channel
            ),
            title="View in use",
        )
    for gone in subscriptions:  # unsubscribed digests keep their history, not the view
        gone.view_id = None
        session.add(gone)
    session.flush()
    notes_repo.delete_saved_view(session, view=view)
    return view.name
