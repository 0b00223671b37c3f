"""The entities an edit names, as Hilal holds them, and the guards that need no call to Amazon.

Guards, in the order a user meets them: the region is disconnected, needs a reconnect, or is read-only;
the profile is view-only or an agency account; the entity is archived (or not a Sponsored Products one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from bot.errors import NotFound, UsageError
from bot.services.edits.errors import (
    EntityArchived,
    EntityNotEditable,
    ProfileNotEditable,
    RegionDisconnected,
    RegionNeedsReconnect,
    RegionReadOnly,
)
from bot.services.edits.model import KIND_ENTITIES, EditTarget
from storage.models import AdGroup, Campaign, Connection, ConnectionStatus, Keyword, Profile

__all__ = ["Local", "check_profile", "check_region", "load_targets"]

_REGION_NAMES = {"na": "North America", "eu": "Europe", "fe": "Far East"}


@dataclass(frozen=True)
class Local:
    """One target as Hilal holds it: ids, name, synced state and amount, its campaign and profile."""

    target: EditTarget
    entity_id: str
    name: str
    state: str
    amount: Decimal | None
    campaign: Campaign
    profile: Profile


def load_targets(
    session: Session, *, team_id: str, kind: str, targets: Sequence[EditTarget]
) -> tuple[Connection, list[Local]]:
    """The targets (deduplicated, in order) and their one region's connection.

    Raises:
        UsageError: No targets, a target of the wrong type for `kind`, or targets in several regions.
        NotFound: A target is not one of the team's live entities.
        EntityNotEditable: A campaign that is not Sponsored Products.
    """
    if not targets:
        raise UsageError("Name at least one campaign, ad group or keyword to change.")
    seen: dict[tuple[str, int], Local] = {}
    for target in targets:
        if target.entity_type not in KIND_ENTITIES[kind]:
            raise UsageError(f"A {kind.replace('_', ' ')} change does not apply to a {target.entity_type}.")
        key = (target.entity_type, target.pk)
        if key not in seen:
            seen[key] = _load(session, team_id=team_id, target=target)
    locals_ = list(seen.values())
    connections = {local.profile.connection_id for local in locals_}
    if len(connections) != 1:
        raise UsageError("One edit changes one region at a time.", hint="Make one change per region.")
    conn = session.get(Connection, connections.pop())
    if conn is None:
        raise NotFound("That region is not connected any more.")
    return conn, locals_


def _load(session: Session, *, team_id: str, target: EditTarget) -> Local:
    entity: Campaign | AdGroup | Keyword | None
    if target.entity_type == "campaign":
        entity = session.get(Campaign, target.pk)
    elif target.entity_type == "ad_group":
        entity = session.get(AdGroup, target.pk)
    else:
        entity = session.get(Keyword, target.pk)
    profile = session.get(Profile, entity.profile_pk) if entity is not None else None
    if entity is None or profile is None or profile.team_id != team_id or entity.removed_at is not None:
        raise NotFound(f"Hilal does not know that {target.entity_type.replace('_', ' ')} (any more).")
    campaign = entity if isinstance(entity, Campaign) else _campaign_of(session, entity)
    if campaign.ad_product != "SP":
        raise EntityNotEditable(
            f"“{campaign.name}” is a Sponsored {_product(campaign.ad_product)} campaign; Hilal edits "
            "Sponsored Products only.",
            hint="Make this change in Amazon's console.",
        )
    if isinstance(entity, Campaign):
        return Local(target, entity.campaign_id, entity.name, entity.state, entity.budget, campaign, profile)
    if isinstance(entity, AdGroup):
        return Local(
            target, entity.ad_group_id, entity.name, entity.state, entity.default_bid, campaign, profile
        )
    return Local(target, entity.keyword_id, entity.text, entity.state, entity.bid, campaign, profile)


def _campaign_of(session: Session, entity: AdGroup | Keyword) -> Campaign:
    campaign = session.exec(
        select(Campaign).where(
            Campaign.profile_pk == entity.profile_pk, Campaign.campaign_id == entity.campaign_id
        )
    ).first()
    if campaign is None:
        raise NotFound("Hilal does not know the campaign this belongs to.")
    return campaign


def _product(code: str) -> str:
    return {"SB": "Brands", "SD": "Display"}.get(code, code)


def check_region(conn: Connection) -> None:
    """Refuse edits in a region that is disconnected, needs a reconnect, or is read-only."""
    name = _REGION_NAMES.get(conn.region, conn.region.upper())
    if conn.status == ConnectionStatus.DISCONNECTED or not conn.refresh_token_enc:
        raise RegionDisconnected(
            "Live edits stop when a region is disconnected — reconnect to edit.",
            hint=f"Reconnect Amazon Ads {name} with `/hilal connect {conn.region}`.",
        )
    if conn.status == ConnectionStatus.RECONNECT_NEEDED:
        raise RegionNeedsReconnect(
            f"Amazon no longer accepts Hilal's access for {name}, so nothing can be changed there.",
            hint=f"Reconnect it with `/hilal connect {conn.region}`; everything is kept.",
        )
    if conn.read_only:
        raise RegionReadOnly(
            f"Amazon Ads {name} is read-only in Hilal: an admin turned live edits off for this region.",
            hint="Ask an admin to turn the read-only switch off.",
        )


def check_profile(profile: Profile) -> None:
    """Refuse edits in a view-only or agency profile."""
    where = f"{profile.account_name or 'this account'} ({profile.country_code})"
    if profile.view_only:
        raise ProfileNotEditable(
            f"Hilal's Amazon account can only view {where}, not change it.",
            hint="Ask an Amazon Ads admin for edit access, then reconnect the region.",
        )
    if profile.account_type == "agency":
        raise ProfileNotEditable(
            f"{where} is an agency account; Hilal does not edit agency profiles.",
            hint="Make this change in Amazon's console.",
        )


def check_archived(local: Local, amazon_state: str | None = None) -> None:
    """Refuse an archived entity (or one in an archived campaign): Amazon cannot undo an archive."""
    states = {local.state.upper(), local.campaign.state.upper(), (amazon_state or "").upper()}
    if "ARCHIVED" in states:
        raise EntityArchived(
            f"“{local.name}” is archived at Amazon and cannot be changed any more.",
            hint="Archiving is final; create a new campaign in Amazon's console instead.",
        )
