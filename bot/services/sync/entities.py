"""Campaigns, ad groups and keywords of one profile: fetched page by page, upserted in small transactions.

Three modes:

- `full` lists every state; anything live in the database but not listed has vanished (`removed_at`).
- `active` lists ENABLED and PAUSED. Rows we hold as active that were not listed either moved to
  ARCHIVED or vanished: an ARCHIVED listing of just those (by campaign where Amazon allows it) tells
  which, so a steady-state sync stays cheap and still never mistakes an archived entity for a deleted one.
- `archived` lists ARCHIVED (archiving is final at Amazon); archived rows not listed have vanished.

Writes use `only_changed=True`: when nothing changed upstream, nothing is rewritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from bot.amazon.errors import AccessDenied, BadRequest, NotFound
from bot.amazon.models import AdGroup, Campaign, Keyword
from bot.services.sync.context import SyncContext
from storage.db import session_scope
from storage.models import Profile
from storage.repositories.sync import (
    ENTITY_TABLES,
    entity_fingerprints,
    mark_removed,
    upsert_entities,
)

__all__ = ["ACTIVE_STATES", "ARCHIVED_STATES", "MODES", "sync_profile_entities"]

logger = logging.getLogger(__name__)

ACTIVE_STATES = ("ENABLED", "PAUSED")
ARCHIVED_STATES = ("ARCHIVED",)
MODES: Mapping[str, tuple[str, ...]] = {"full": (), "active": ACTIVE_STATES, "archived": ARCHIVED_STATES}
Row = dict[str, Any]
Pages = Callable[[Sequence[str], Sequence[str] | None], Iterator[Sequence[Any]]]


def _campaign_rows(p: Profile, page: Sequence[Campaign], now: datetime) -> list[Row]:
    pk, team = p.id, p.team_id
    return [
        {
            "profile_pk": pk,
            "team_id": team,
            "campaign_id": c.campaign_id,
            "ad_product": c.ad_product,
            "name": c.name[:400],
            "state": c.state[:16],
            "targeting_type": (c.targeting_type or None) and c.targeting_type[:16],
            "budget": c.budget,
            "budget_type": (c.budget_type or None) and c.budget_type[:16],
            "start_date": c.start_date,
            "end_date": c.end_date,
            "removed_at": None,
            "updated_at": now,
        }
        for c in page
    ]


def _ad_group_rows(p: Profile, page: Sequence[AdGroup], now: datetime) -> list[Row]:
    pk = p.id
    return [
        {
            "profile_pk": pk,
            "campaign_id": g.campaign_id,
            "ad_group_id": g.ad_group_id,
            "name": g.name[:400],
            "state": g.state[:16],
            "default_bid": g.default_bid,
            "removed_at": None,
            "updated_at": now,
        }
        for g in page
    ]


def _keyword_rows(p: Profile, page: Sequence[Keyword], now: datetime) -> list[Row]:
    pk = p.id
    return [
        {
            "profile_pk": pk,
            "campaign_id": k.campaign_id,
            "ad_group_id": k.ad_group_id,
            "keyword_id": k.keyword_id,
            "text": k.text[:400],
            "match_type": k.match_type[:16],
            "state": k.state[:16],
            "bid": k.bid,
            "removed_at": None,
            "updated_at": now,
        }
        for k in page
    ]


Stored = dict[str, tuple[Any, ...]]


def _stored(ctx: SyncContext, profile: Profile) -> dict[str, Stored]:
    """Every kind's stored entities of the profile (id → the values a sync overwrites), in one read.

    The sync keeps them current as it writes (`_write`, `_reconcile`), so they also answer which rows
    are live without asking the database again: the lease keeps every other sync off the profile.
    """
    assert profile.id is not None
    with session_scope(ctx.services.engine, readonly=True) as session:
        return {
            kind: entity_fingerprints(session, kind=kind, profile_pk=profile.id) for kind in ENTITY_TABLES
        }


def _live(
    kind: str, stored: Stored, *, states: Sequence[str] | None, ad_product: str | None
) -> dict[str, str]:
    """What `existing_entity_ids` would answer, from `stored`: live ids (in `states`) → campaign id."""
    spec = ENTITY_TABLES[kind]
    at = {name: n for n, name in enumerate(spec.update)}
    state, removed = at["state"], at["removed_at"]
    campaign = at.get("campaign_id")
    product = at.get("ad_product") if ad_product is not None else None
    return {
        eid: eid if campaign is None else str(values[campaign])
        for eid, values in stored.items()
        if values[removed] is None
        and (states is None or values[state] in states)
        and (product is None or values[product] == ad_product)
    }


def _write(
    ctx: SyncContext,
    kind: str,
    pages: Iterable[Sequence[Any]],
    to_rows: Callable[..., list[Row]],
    profile: Profile,
    seen: set[str],
    stored: dict[str, tuple[Any, ...]],
) -> int:
    """Upsert new and changed entities, page by page in short transactions; returns how many were listed.

    `stored` (id → the stored values a sync overwrites) lets unchanged rows skip the database entirely.
    """
    spec = ENTITY_TABLES[kind]
    id_of = itemgetter(spec.id_column)
    fingerprint = _fingerprint(spec.update)
    listed = 0
    for page in pages:
        ctx.checkpoint()
        now = ctx.now()
        rows = to_rows(profile, page, now)
        changed = [row for row in rows if stored.get(id_of(row)) != fingerprint(row)]
        if changed:
            with session_scope(ctx.services.engine) as session:
                upsert_entities(session, kind=kind, rows=changed, now=now)
            for row in changed:
                stored[id_of(row)] = fingerprint(row)
        ctx.counts[f"{kind}_written"] += len(changed)
        seen.update(map(id_of, rows))
        listed += len(rows)
    return listed


def _fingerprint(columns: Sequence[str]) -> Callable[[Row], tuple[Any, ...]]:
    """A row's values of `columns`, as a tuple (the form `entity_fingerprints` stores)."""
    if len(columns) == 1:
        return lambda row: (row[columns[0]],)
    return itemgetter(*columns)


def _campaign_sources(ctx: SyncContext, profile_id: str) -> list[tuple[str, Pages]]:
    c = ctx.client
    return [
        ("SP", lambda states, _ids: c.iter_sp_campaigns(profile_id, states=states)),
        ("SB", lambda states, _ids: c.iter_sb_campaigns(profile_id, states=states)),
        ("SD", lambda states, _ids: c.iter_sd_campaigns(profile_id, states=states)),
    ]


def _child_sources(ctx: SyncContext, profile_id: str) -> list[tuple[str, Pages, Callable[..., list[Row]]]]:
    c = ctx.client
    return [
        (
            "ad_groups",
            lambda states, ids: c.iter_sp_ad_groups(profile_id, states=states, campaign_ids=ids),
            _ad_group_rows,
        ),
        (
            "keywords",
            lambda states, ids: c.iter_sp_keywords(profile_id, states=states, campaign_ids=ids),
            _keyword_rows,
        ),
    ]


def _reconcile(
    ctx: SyncContext,
    *,
    kind: str,
    profile: Profile,
    mode: str,
    seen: set[str],
    stored: Stored,
    ad_product: str | None,
    archived_lookup: Callable[[set[str]], set[str]],
) -> None:
    """Mark what vanished; in `active` mode first ask Amazon whether the missing rows were archived."""
    states = MODES[mode] or None
    assert profile.id is not None
    live = _live(kind, stored, states=states, ad_product=ad_product)
    missing = {eid for eid in live if eid not in seen}
    if missing and mode == "active":
        campaign_ids = {live[eid] for eid in missing}
        missing -= archived_lookup(campaign_ids)
    if missing:
        now = ctx.now()
        with session_scope(ctx.services.engine) as session:
            marked = mark_removed(session, kind=kind, profile_pk=profile.id, ids=missing, now=now)
        removed_at = ENTITY_TABLES[kind].update.index("removed_at")
        for eid in missing:
            values = stored[eid]
            if values[removed_at] is None:
                stored[eid] = (*values[:removed_at], now, *values[removed_at + 1 :])
        ctx.counts["removed"] += marked


def _sync_campaigns(ctx: SyncContext, profile: Profile, mode: str, stored: Stored) -> None:
    states = MODES[mode]
    for product, pages in _campaign_sources(ctx, profile.profile_id):
        seen: set[str] = set()
        try:
            ctx.counts["campaigns"] += _write(
                ctx, "campaigns", pages(states, None), _campaign_rows, profile, seen, stored
            )
        except (BadRequest, NotFound, AccessDenied) as exc:
            if product == "SP":
                raise
            logger.info("sync.product_skipped", extra={"product": product, "status": exc.status})
            continue

        def archived(_campaigns: set[str], pages: Pages = pages) -> set[str]:
            found: set[str] = set()
            _write(ctx, "campaigns", pages(ARCHIVED_STATES, None), _campaign_rows, profile, found, stored)
            return found

        _reconcile(
            ctx,
            kind="campaigns",
            profile=profile,
            mode=mode,
            seen=seen,
            stored=stored,
            ad_product=product,
            archived_lookup=archived,
        )


def _sync_children(ctx: SyncContext, profile: Profile, mode: str, stored_by_kind: dict[str, Stored]) -> None:
    states = MODES[mode]
    for kind, pages, to_rows in _child_sources(ctx, profile.profile_id):
        seen: set[str] = set()
        stored = stored_by_kind.pop(kind)  # dropped when done: only one kind's ids are held while listing
        ctx.counts[kind] += _write(ctx, kind, pages(states, None), to_rows, profile, seen, stored)

        def archived(
            campaigns: set[str],
            pages: Pages = pages,
            kind: str = kind,
            to_rows: Callable[..., list[Row]] = to_rows,
            stored: dict[str, tuple[Any, ...]] = stored,
        ) -> set[str]:
            found: set[str] = set()
            _write(ctx, kind, pages(ARCHIVED_STATES, sorted(campaigns)), to_rows, profile, found, stored)
            return found

        _reconcile(
            ctx,
            kind=kind,
            profile=profile,
            mode=mode,
            seen=seen,
            stored=stored,
            ad_product=None,
            archived_lookup=archived,
        )


def sync_profile_entities(ctx: SyncContext, profile: Profile, *, mode: str) -> None:
    """Bring one profile's campaigns (SP, SB, SD), ad groups and keywords in line with Amazon.

    Args:
        ctx: The running sync (client, lease, counts).
        profile: A selected, syncable profile.
        mode: `full`, `active` or `archived` (see the module docstring).
    """
    if mode not in MODES:
        raise ValueError(f"unknown entity sync mode {mode!r}")
    stored = _stored(ctx, profile)
    _sync_campaigns(ctx, profile, mode, stored.pop("campaigns"))
    _sync_children(ctx, profile, mode, stored)
