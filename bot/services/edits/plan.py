"""Previewing a live edit: every guard, Amazon's current values, the typed word for big changes.

`plan_edit` refuses with a `UserFacingError` before anything is sent to Amazon or written (not an
editor; region disconnected, needing a reconnect or read-only; profile view-only or agency; archived;
malformed or out-of-bounds amount), then reads the targets at Amazon, refuses when nothing would change,
and stores the batch as `previewed` for `PREVIEW_TTL`. "Before" is Amazon's value, which may differ
from Hilal's last sync (the preview says so).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.amazon.errors import AmazonAdsError
from bot.errors import NotFound, UsageError, from_amazon
from bot.services.connections import ads_client_for
from bot.services.edits.amazon_read import AmazonValue, read_current
from bot.services.edits.amounts import AmountChange, format_amount, parse_amount
from bot.services.edits.bounds import MarketplaceBounds, bounds_for
from bot.services.edits.errors import AmountOutOfBounds, NothingToChange
from bot.services.edits.model import FIELD_OF_KIND, EditPreview, EditTarget, PreviewItem
from bot.services.edits.permissions import require_editor
from bot.services.edits.targets import Local, check_archived, check_profile, check_region, load_targets
from bot.viewmodels.common import minor_units
from storage.db import session_scope
from storage.models import Connection, EditBatch
from storage.repositories.edits import NewItem, create_batch

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["BULK_LIMIT", "PREVIEW_TTL", "check_edit", "plan_edit"]

PREVIEW_TTL = timedelta(minutes=15)
BULK_LIMIT = 10
"""A bulk edit of more entities than this needs a typed confirmation word."""
_STATE_OF_KIND = {"pause": "PAUSED", "enable": "ENABLED"}
_WORD_OF_KIND = {"pause": "PAUSE", "enable": "ENABLE", "budget": "BUDGET", "bid": "BID", "default_bid": "BID"}


@dataclass(frozen=True)
class _Wanted:
    """The target value of one entity: a state, or an amount change."""

    local: Local
    state: str | None
    amount: AmountChange | None


def plan_edit(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    targets: Sequence[EditTarget],
    value: str | None = None,
    now: datetime,
    is_manager: bool = False,
    undo_of: int | None = None,
) -> EditPreview:
    """Check, read Amazon's current values and store a preview of an edit (nothing is sent yet).

    Args:
        services: Shared services.
        team_id: The workspace.
        user_id: Who asks (must be an editor).
        kind: `pause`, `enable`, `budget`, `bid` or `default_bid`.
        targets: The entities (one region); duplicates are ignored.
        value: The amount as typed (`80`, `80,50`, `+20%`) for budget and bid kinds.
        now: The current time.
        is_manager: The caller found the user to be a manager (workspace admin or owner).
        undo_of: The batch this preview undoes (set by `plan_undo`).

    Returns:
        The stored preview.

    Raises:
        UserFacingError: A guard refused (see `bot.services.edits.errors`), or Amazon could not be read.
    """
    conn, locals_, wanted = _checked(
        services,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        targets=targets,
        value=value,
        is_manager=is_manager,
    )
    assert conn.id is not None
    current = _read_amazon(services, connection_id=conn.id, locals_=locals_)
    items, skipped = _items(kind, wanted, current)
    if not items:
        raise NothingToChange(_nothing_text(kind, skipped))
    word = _confirm_word(
        kind,
        [item for item, _local in items],
        factor=Decimal(str(services.settings.hilal_edit_confirm_factor)),
    )
    batch = EditBatch(
        team_id=team_id,
        region=conn.region,
        connection_id=conn.id,
        created_by=user_id,
        created_at=now,
        expires_at=now + PREVIEW_TTL,
        kind=kind,
        confirm_word=word,
        undo_of=undo_of,
        summary_json=json.dumps({"skipped": skipped, "stale": sum(i.stale for i, _local in items)}),
    )
    new = [_new_item(item, local) for item, local in items]
    with session_scope(services.engine) as session:
        batch_id = create_batch(session, batch=batch, items=new)
    return EditPreview(
        batch_id=batch_id,
        team_id=team_id,
        region=conn.region,
        kind=kind,
        items=tuple(item for item, _local in items),
        skipped=tuple(skipped),
        big_change=word is not None,
        confirm_word=word,
        expires_at=batch.expires_at,
        undo_of=undo_of,
    )


def check_edit(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    targets: Sequence[EditTarget],
    value: str | None = None,
    is_manager: bool = False,
) -> None:
    """The guards of `plan_edit` that need only Hilal's own data (who asks, the region, the profiles,
    archived entities, a malformed or out-of-bounds absolute amount), without reading Amazon: quick
    enough to answer a form within Slack's 3 seconds. `plan_edit` checks them all again.

    Raises:
        UserFacingError: A guard refused.
    """
    _checked(
        services,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        targets=targets,
        value=value,
        is_manager=is_manager,
    )


def _checked(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    targets: Sequence[EditTarget],
    value: str | None,
    is_manager: bool,
) -> tuple[Connection, list[Local], list[_Wanted]]:
    if kind not in FIELD_OF_KIND:
        raise UsageError(f"Hilal cannot {kind} from Slack.", hint="Pause, enable, budget or bid.")
    with session_scope(services.engine, readonly=True) as session:
        require_editor(services, session, team_id=team_id, user_id=user_id, is_manager=is_manager)
        conn, locals_ = load_targets(session, team_id=team_id, kind=kind, targets=targets)
    check_region(conn)
    for local in locals_:
        check_profile(local.profile)
    for local in locals_:
        check_archived(local)
    return conn, locals_, [_wanted(kind, local, value) for local in locals_]


def _wanted(kind: str, local: Local, value: str | None) -> _Wanted:
    """The target of one entity; malformed and out-of-bounds absolute amounts are refused here."""
    if kind in _STATE_OF_KIND:
        return _Wanted(local, _STATE_OF_KIND[kind], None)
    market = bounds_for(local.profile.country_code)
    text = local.target.value if local.target.value is not None else value
    if text is None or not text.strip():
        raise UsageError("Give the new amount.", hint="For example `80`, `80.50` or `+20%`.")
    change = parse_amount(text, market=market)
    if change.mode == "absolute":
        _check_bounds(FIELD_OF_KIND[kind], change.number, market, local)
    return _Wanted(local, None, change)


def _check_bounds(field: str, amount: Decimal, market: MarketplaceBounds, local: Local) -> None:
    low, high = (
        (market.budget_min, market.budget_max) if field == "budget" else (market.bid_min, market.bid_max)
    )
    if low <= amount <= high:
        return
    what = "daily budget" if field == "budget" else "bid"
    raise AmountOutOfBounds(
        f"A {what} of {amount} {market.currency} for “{local.name}” is outside what the "
        f"{market.country} marketplace allows: {low} to {high} {market.currency}.",
        hint=f"Give a {what} between {low} and {high}.",
    )


def _read_amazon(
    services: Services, *, connection_id: int, locals_: Sequence[Local]
) -> dict[tuple[str, int], AmazonValue]:
    """Amazon's current value of each target, by (entity type, Hilal row id)."""
    groups: dict[tuple[str, str], list[Local]] = {}
    for local in locals_:
        groups.setdefault((local.profile.profile_id, local.target.entity_type), []).append(local)
    client = ads_client_for(services, connection_id=connection_id)
    found: dict[tuple[str, int], AmazonValue] = {}
    for (profile_id, entity_type), members in groups.items():
        try:
            values = read_current(
                client,
                profile_id=profile_id,
                entity_type=entity_type,
                ids=[m.entity_id for m in members],
                campaign_ids=sorted({m.campaign.campaign_id for m in members}),
            )
        except AmazonAdsError as exc:
            raise from_amazon(exc) from None
        for member in members:
            value = values.get(member.entity_id)
            if value is None:
                raise NotFound(f"Amazon no longer lists “{member.name}”; the next sync will catch up.")
            found[(entity_type, member.target.pk)] = value
    return found


def _items(
    kind: str, wanted: Sequence[_Wanted], current: Mapping[tuple[str, int], AmazonValue]
) -> tuple[list[tuple[PreviewItem, Local]], list[str]]:
    """The preview's items (Amazon's value before), each with its entity, and the names already as asked."""
    items: list[tuple[PreviewItem, Local]] = []
    skipped: list[str] = []
    field = FIELD_OF_KIND[kind]
    for want in wanted:
        local = want.local
        amazon = current[(local.target.entity_type, local.target.pk)]
        check_archived(local, amazon.state)
        decimals = minor_units(local.profile.currency_code)
        synced: str | None
        if want.state is not None:
            before, after, synced = amazon.state, want.state, local.state.upper()
        else:
            assert want.amount is not None
            target = want.amount.target(amazon.amount, decimals=decimals)
            _check_bounds(field, target, bounds_for(local.profile.country_code), local)
            before = "" if amazon.amount is None else format_amount(amazon.amount, decimals)
            after = format_amount(target, decimals)
            synced = None if local.amount is None else format_amount(local.amount, decimals)
        if before == after:
            skipped.append(local.name)
            continue
        item = PreviewItem(
            entity_type=local.target.entity_type,
            entity_id=local.entity_id,
            entity_name=local.name,
            campaign_pk=local.campaign.id or 0,
            field=field,
            before=before,
            after=after,
            currency=local.profile.currency_code,
            synced=synced,
            stale=synced is not None and synced != before,
            meaning=_meaning(local.target.entity_type, field, before, after, local.profile.currency_code),
        )
        items.append((item, local))
    return items, skipped


def _meaning(entity_type: str, field: str, before: str, after: str, currency: str) -> str:
    if field == "state":
        what = {"campaign": "spend", "ad_group": "this ad group's ads", "keyword": "bids on this keyword"}
        return f"stops {what[entity_type]} from now on" if after == "PAUSED" else "serves again from now on"
    change = "raises" if before and Decimal(after) > Decimal(before) else "lowers"
    noun = "the daily budget" if field == "budget" else "the bid"
    return f"{change} {noun} to {after} {currency}"


def _confirm_word(kind: str, items: Sequence[PreviewItem], *, factor: Decimal) -> str | None:
    """`PAUSE 37` for a bulk edit above `BULK_LIMIT`; `RAISE` for an amount raised over `factor` times."""
    if len(items) > BULK_LIMIT:
        return f"{_WORD_OF_KIND[kind]} {len(items)}"
    for item in items:
        if item.field != "state" and item.before and Decimal(item.after) > Decimal(item.before) * factor:
            return "RAISE"
    return None


def _nothing_text(kind: str, skipped: Sequence[str]) -> str:
    names = ", ".join(f"“{name}”" for name in skipped[:5]) + (" …" if len(skipped) > 5 else "")
    if kind in _STATE_OF_KIND:
        verb = "is" if len(skipped) == 1 else "are"
        return f"{names} {verb} already {_STATE_OF_KIND[kind].lower()} at Amazon."
    return f"{names} already {'has' if len(skipped) == 1 else 'have'} that amount at Amazon."


def _new_item(item: PreviewItem, local: Local) -> NewItem:
    assert local.profile.id is not None
    return NewItem(
        profile_pk=local.profile.id,
        entity_type=item.entity_type,
        entity_id=item.entity_id,
        entity_name=item.entity_name[:400],
        campaign_pk=item.campaign_pk,
        field=item.field,
        before=item.before,
        after=item.after,
        currency=item.currency,
    )
