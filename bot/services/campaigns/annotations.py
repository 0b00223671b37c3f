"""Tags and notes on campaigns: they belong to the team (not to a connection), so they survive disconnect,
reconnect and every sync, which only ever updates the campaign rows they point at.

A CAMPAIGN given in a command is Hilal's internal id, Amazon's campaign id, an exact name or a unique
name prefix (case-insensitive). Several matches raise `AmbiguousCampaign`, carrying the candidates.

Input is checked here, whatever surface it came from: tags and notes must be text (a JSON number is
refused, not turned into "42"), and text with NUL characters is refused before anything is written
(PostgreSQL would reject it, SQLite would store it). A call that refuses writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from bot.errors import NotFound, UsageError, UserFacingError
from bot.services.campaigns.filters import normalize_tag
from bot.services.campaigns.text_input import require_text
from bot.viewmodels import CampaignMatchVM
from storage.models import Campaign, Profile
from storage.repositories import annotations as notes_repo
from storage.repositories import campaigns as repo

__all__ = [
    "NOTE_EXAMPLE",
    "NOTE_MAX_LENGTH",
    "AmbiguousCampaign",
    "add_note",
    "clean_note",
    "clean_tags",
    "get_campaign",
    "match_vms",
    "parse_tags",
    "resolve_campaign",
    "tag_campaign",
    "untag_campaign",
]

NOTE_MAX_LENGTH = 2900
NOTE_EXAMPLE = 'Example: `/hilal note "Brand - Exact" Raised bids for Prime Day`'
_TAG_EXAMPLE = "Example: `launch` or `q4-brand`."


class AmbiguousCampaign(UserFacingError):
    """Several campaigns match what the user typed; ``matches`` holds them (best first)."""

    title = "Which campaign?"

    def __init__(self, query: str, matches: Sequence[CampaignMatchVM]) -> None:
        names = "; ".join(f"{m.name} ({m.marketplace}, id {m.campaign_id})" for m in matches[:5])
        super().__init__(
            f"{len(matches)} campaigns match `{query[:80]}`: {names}.",
            hint="Use the id shown, the exact name in quotes, or more of the name.",
        )
        self.query = query
        self.matches = list(matches)


def match_vms(session: Session, campaigns: Iterable[Campaign]) -> list[CampaignMatchVM]:
    """Candidates for the "which campaign?" question."""
    items = list(campaigns)
    profiles = {
        p.id: p
        for p in session.exec(select(Profile).where(col(Profile.id).in_({c.profile_pk for c in items})))
    }
    out = []
    for c in items:
        profile = profiles.get(c.profile_pk)
        country = profile.country_code if profile else "?"
        out.append(
            CampaignMatchVM(
                campaign_id=str(c.id),
                name=c.name,
                region=profile.region if profile else "",
                marketplace=country,
                ad_type=c.ad_product,
                state=c.state.lower(),
            )
        )
    return out


def resolve_campaign(session: Session, *, team_id: str, text: str) -> Campaign:
    """The one team campaign ``text`` names.

    Raises:
        UsageError: ``text`` is empty.
        NotFound: Nothing matches.
        AmbiguousCampaign: Several campaigns match.
    """
    needle = require_text(text, what="Campaign names").strip()
    if not needle:
        raise UsageError(
            "Which campaign? Give its id or name.", hint='Example: `/hilal tag "Brand - Exact" launch`'
        )
    found = repo.find_campaigns(session, team_id=team_id, text=needle)
    if not found:
        raise NotFound(
            f"No campaign matches `{needle[:80]}`.",
            hint="Use the campaign's id, its exact name in quotes, or the start of its name.",
        )
    if len(found) > 1:
        raise AmbiguousCampaign(needle, match_vms(session, found))
    return found[0]


def get_campaign(session: Session, *, team_id: str, campaign_pk: int) -> Campaign:
    """One of the team's campaigns by internal id (NotFound for another team's)."""
    campaign = session.get(Campaign, campaign_pk)
    if campaign is None or campaign.team_id != team_id:
        raise NotFound("That campaign does not exist (any more).")
    return campaign


def parse_tags(text: object) -> list[str]:
    """Comma- or space-separated tags in normal form (UsageError on a bad one, or when not text)."""
    parts = [p for p in require_text(text, what="Tags", hint=_TAG_EXAMPLE).replace(",", " ").split() if p]
    return list(dict.fromkeys(normalize_tag(p) for p in parts))


def clean_tags(tags: Sequence[object]) -> list[str]:
    """Each tag checked and in normal form, duplicates dropped.

    Raises:
        UsageError: A tag is not text (e.g. a JSON number) or not a valid tag.
    """
    return list(dict.fromkeys(normalize_tag(require_text(t, what="Tags", hint=_TAG_EXAMPLE)) for t in tags))


def tag_campaign(
    session: Session, *, team_id: str, user_id: str, campaign_pk: int, tags: Sequence[str], now: datetime
) -> list[str]:
    """Add tags to a campaign; returns the ones that were new.

    Raises:
        UsageError: A tag is not text or not valid (checked before any is written).
        NotFound: Not one of the team's campaigns.
    """
    checked = clean_tags(tags)
    campaign = get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
    assert campaign.id is not None
    return [
        tag
        for tag in checked
        if notes_repo.add_tag(
            session, team_id=team_id, campaign_pk=campaign.id, tag=tag, user_id=user_id, now=now
        )
    ]


def untag_campaign(session: Session, *, team_id: str, campaign_pk: int, tags: Sequence[str]) -> list[str]:
    """Remove tags from a campaign; returns the ones it had.

    Raises:
        UsageError: A tag is not text or not valid (checked before any is removed).
        NotFound: Not one of the team's campaigns.
    """
    checked = clean_tags(tags)
    campaign = get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
    assert campaign.id is not None
    return [
        tag
        for tag in checked
        if notes_repo.remove_tag(session, team_id=team_id, campaign_pk=campaign.id, tag=tag)
    ]


def clean_note(text: object) -> str:
    """The note as stored (trimmed).

    Raises:
        UsageError: Not text, with NUL characters, empty, or longer than 2,900 characters.
    """
    body = require_text(text, what="Notes", hint=NOTE_EXAMPLE).strip()
    if not body:
        raise UsageError("The note is empty.", hint=NOTE_EXAMPLE)
    if len(body) > NOTE_MAX_LENGTH:
        raise UsageError(f"Notes are at most {NOTE_MAX_LENGTH:,} characters; this one has {len(body):,}.")
    return body


def add_note(
    session: Session, *, team_id: str, user_id: str, campaign_pk: int, text: str, now: datetime
) -> None:
    """Add a note with its author.

    Raises:
        UsageError: Not text, with NUL characters, empty, or longer than 2,900 characters.
        NotFound: Not one of the team's campaigns.
    """
    body = clean_note(text)
    campaign = get_campaign(session, team_id=team_id, campaign_pk=campaign_pk)
    assert campaign.id is not None
    notes_repo.add_note(
        session, team_id=team_id, campaign_pk=campaign.id, author_id=user_id, text=body, now=now
    )
