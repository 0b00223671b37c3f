"""A synced account to edit, and small readers of what Amazon and Hilal hold."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import col, func, select

from bot.services.edits import EditPreview, EditTarget, plan_edit
from bot.services.sync import run_sync
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import session_scope
from storage.models import AuditEvent, Campaign, EditBatch, Profile
from tests.sync.world import World

__all__ = [
    "ADMIN",
    "TEAM",
    "Account",
    "admin_preview",
    "amazon_campaign",
    "batches",
    "preview_pause",
    "puts",
    "synced",
    "writes",
]

TEAM, ADMIN = DEMO_TEAM, DEMO_ADMIN


@dataclass(frozen=True)
class Account:
    """A synced region: its connection and first profile, and its SP campaigns by state."""

    conn_id: int
    profile: Profile
    campaigns: list[Campaign]

    def of_state(self, state: str) -> list[Campaign]:
        return [c for c in self.campaigns if c.state == state]

    def target(self, campaign: Campaign) -> EditTarget:
        assert campaign.id is not None
        return EditTarget("campaign", campaign.id)


def synced(
    world: World, *, region: str = "na", marketplaces: tuple[str, ...] = ("US",), **sizes: Any
) -> Account:
    """Seed, connect and sync a region; its first profile's SP campaigns, enabled first."""
    world.seed(region=region, marketplaces=marketplaces, **sizes)
    conn_id = world.connect(region)
    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"
    profile = world.profiles(conn_id)[0]
    assert profile.id is not None
    sp = [c for c in world.campaigns(profile.id).values() if c.ad_product == "SP"]
    return Account(conn_id, profile, sorted(sp, key=lambda c: (c.state != "ENABLED", c.id or 0)))


def admin_preview(
    world: World, account: Account, campaigns: list[Campaign], *, kind: str, value: str | None = None
) -> EditPreview:
    """A change of `campaigns` previewed by the admin, now (nothing sent)."""
    return plan_edit(
        world.services,
        team_id=TEAM,
        user_id=ADMIN,
        kind=kind,
        targets=[account.target(c) for c in campaigns],
        value=value,
        now=world.clock(),
        is_manager=True,
    )


def preview_pause(world: World, account: Account, campaigns: list[Campaign]) -> int:
    """A pause of `campaigns` previewed by the admin (nothing sent); the batch id."""
    return admin_preview(world, account, campaigns, kind="pause").batch_id


def amazon_campaign(world: World, profile: Profile, campaign_id: str) -> dict[str, Any]:
    """The campaign as Amazon lists it now."""
    return next(
        c for c in world.sim.truth.campaigns(profile.profile_id) if str(c["campaignId"]) == campaign_id
    )


def amazon_budget(world: World, profile: Profile, campaign_id: str) -> Decimal:
    return Decimal(str(amazon_campaign(world, profile, campaign_id)["budget"]["budget"]))


def writes(world: World) -> list[str]:
    """`METHOD path` of every request that was not a read (PUT writes)."""
    return [f"{r.method} {r.path}" for r in world.sim.requests if r.method == "PUT"]


def puts(world: World, path: str = "/sp/campaigns") -> int:
    return sum(1 for r in world.sim.requests if r.method == "PUT" and r.path == path)


def batches(world: World) -> int:
    with session_scope(world.engine, readonly=True) as s:
        return int(s.exec(select(func.count()).select_from(EditBatch)).one())


def audit(world: World, campaign_pk: int) -> list[AuditEvent]:
    with session_scope(world.engine, readonly=True) as s:
        stmt = select(AuditEvent).where(AuditEvent.campaign_pk == campaign_pk).order_by(col(AuditEvent.id))
        return list(s.exec(stmt).all())


def local_campaign(world: World, pk: int) -> Campaign:
    with session_scope(world.engine, readonly=True) as s:
        found = s.get(Campaign, pk)
        assert found is not None
        return found
