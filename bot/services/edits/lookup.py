"""Finding what a live edit names: a keyword of a campaign, the campaigns a list filter shows (per
region, for "Pause all N shown…"), an amount form's current value, and the audit channel's lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.errors import NotFound, UsageError
from bot.services.campaigns import CampaignFilter, page_query
from bot.services.edits.model import EditTarget
from bot.services.edits.present import edit_value
from bot.viewmodels import AuditLineVM
from bot.viewmodels.common import Money
from storage.models import Campaign, Keyword, Profile, Workspace
from storage.repositories.campaign_list import matching_campaign_pks
from storage.repositories.edits import batch_items, get_batch

__all__ = [
    "RegionTargets",
    "audit_channel_of",
    "audit_lines",
    "bulk_targets",
    "current_amount",
    "resolve_keyword",
    "set_audit_channel",
]

_TARGET_STATE = {"pause": "ENABLED", "enable": "PAUSED"}
_VERB = {
    "pause": "paused",
    "enable": "enabled",
    "budget": "changed the daily budget of",
    "bid": "changed the bid of",
    "default_bid": "changed the default bid of",
}


def resolve_keyword(session: Session, *, campaign: Campaign, text: str) -> Keyword:
    """The campaign's one live keyword named by `text` (exact text, any case; else a unique prefix).

    Raises:
        UsageError: No keyword text given.
        NotFound: No keyword, or several, match.
    """
    needle = text.strip().lower()
    if not needle:
        raise UsageError("Which keyword? Give its text in quotes.", hint='Example: `"trail shoes"`')
    stmt = select(Keyword).where(
        Keyword.profile_pk == campaign.profile_pk,
        Keyword.campaign_id == campaign.campaign_id,
        col(Keyword.removed_at).is_(None),
    )
    keywords = list(session.exec(stmt.order_by(col(Keyword.id))).all())
    exact = [k for k in keywords if k.text.lower() == needle]
    found = exact or [k for k in keywords if k.text.lower().startswith(needle)]
    if len(found) == 1:
        return found[0]
    names = ", ".join(f"“{k.text}” ({k.match_type.lower()})" for k in found[:5])
    if found:
        raise NotFound(
            f"{len(found)} keywords of “{campaign.name}” match “{text[:80]}”: {names}.",
            hint="Give more of the keyword's text, in quotes.",
        )
    raise NotFound(
        f"“{campaign.name}” has no keyword “{text[:80]}”.",
        hint="Open the campaign's Details to see its keywords.",
    )


@dataclass(frozen=True)
class RegionTargets:
    """The campaigns of one region a bulk pause or enable would change."""

    region: str
    targets: Sequence[EditTarget]


def bulk_targets(
    session: Session, *, team_id: str, flt: CampaignFilter, today: date, kind: str
) -> list[RegionTargets]:
    """The campaigns the filter lists that `kind` ("pause" / "enable") would change, grouped by region.

    Only Sponsored Products campaigns in the opposite state count (archived ones never do).
    """
    pks = matching_campaign_pks(session, query=page_query(flt, team_id=team_id, today=today))
    if not pks:
        return []
    stmt = (
        select(Campaign.id, Profile.region)
        .join(Profile, col(Profile.id) == Campaign.profile_pk)
        .where(
            col(Campaign.id).in_(pks),
            Campaign.ad_product == "SP",
            Campaign.state == _TARGET_STATE[kind],
            col(Campaign.removed_at).is_(None),
        )
        .order_by(col(Campaign.id))
    )
    regions: dict[str, list[EditTarget]] = {}
    for pk, region in session.exec(stmt).all():
        regions.setdefault(region, []).append(EditTarget("campaign", int(pk or 0)))
    return [RegionTargets(region, targets) for region, targets in sorted(regions.items())]


def current_amount(session: Session, *, entity_type: str, pk: int) -> tuple[str, Money | None, str]:
    """(name, current amount or None, currency) of a campaign's budget or a keyword's bid."""
    entity: Campaign | Keyword | None = (
        session.get(Campaign, pk) if entity_type == "campaign" else session.get(Keyword, pk)
    )
    if entity is None:
        raise NotFound("Hilal does not know that campaign or keyword (any more).")
    profile = session.get(Profile, entity.profile_pk)
    currency = profile.currency_code if profile else ""
    if isinstance(entity, Campaign):
        name, amount = entity.name, entity.budget
    else:
        name, amount = entity.text, entity.bid
    current = Money(amount, currency) if amount is not None and currency else None
    return name, current, currency


def audit_channel_of(session: Session, *, team_id: str) -> str | None:
    """The team's audit channel, or None."""
    stmt = select(Workspace.audit_channel).where(
        Workspace.team_id == team_id, col(Workspace.audit_channel).is_not(None)
    )
    return session.exec(stmt).first()


def set_audit_channel(session: Session, *, team_id: str, channel: str | None) -> None:
    """Name (or with None, drop) the team's audit channel.

    A single-workspace install (one bot token in the settings) has no `Workspace` row yet: one is added,
    without a token, holding the setting (an OAuth install later fills in the rest of that row).
    """
    rows = list(session.exec(select(Workspace).where(Workspace.team_id == team_id)).all())
    for row in rows or [Workspace(team_id=team_id)]:
        row.audit_channel = channel
        session.add(row)


def audit_lines(session: Session, *, batch_id: int) -> list[AuditLineVM]:
    """One line per entity Amazon applied in the batch ("@ada paused X (🇩🇪 DE): enabled → paused")."""
    batch = get_batch(session, batch_id=batch_id)
    if batch is None or not batch.applied_by:
        return []
    lines = []
    for item in batch_items(session, batch_id=batch_id):
        if item.status != "applied":
            continue
        profile = session.get(Profile, item.profile_pk)
        country = profile.country_code if profile else "?"
        lines.append(
            AuditLineVM(
                actor=batch.applied_by,
                verb=_VERB.get(batch.kind, "changed"),
                name=item.entity_name,
                country=country,
                before=edit_value(item.field, item.before, item.currency),
                after=edit_value(item.field, item.after, item.currency),
            )
        )
    return lines
