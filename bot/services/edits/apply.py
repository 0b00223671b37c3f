"""Confirming a previewed edit: the guards again, the typed word, the exactly-once claim, the writes.

Exactly once: `claim_batch` moves the batch from `previewed` to `applying` for one caller; everyone
else (a double click, a second user, a retried request) gets the batch's outcome and sends nothing.
Writes set target values, so the client's own retries after a lost answer are safe.

On PostgreSQL the claim's transaction stays open until the outcome is recorded: a concurrent confirm
waits on the batch's row and then reads the final outcome. On SQLite the claim commits first (holding
SQLite's single write lock across Amazon calls would block the token refresh of this same request), so
a concurrent confirm sees `applying` until the writes are recorded.

Recording (see `record`): the threads that send hand Amazon's answers over as they are, and the
database's part is a handful of set-based statements per group, whatever the number of items, one for
the audit events, and the batch's status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.amazon.client import WRITE_BATCH, AdsClient
from bot.amazon.edits import AdGroupUpdate, CampaignUpdate, KeywordUpdate, WriteResult
from bot.amazon.errors import AmazonAdsError
from bot.errors import NotFound, from_amazon
from bot.services.connections import ads_client_for
from bot.services.edits.errors import ConfirmWordMismatch, PreviewExpired
from bot.services.edits.model import EditOutcome
from bot.services.edits.outcome import outcome_of
from bot.services.edits.permissions import require_editor
from bot.services.edits.record import Answers, Recorder
from bot.services.edits.targets import check_profile, check_region
from storage.db import session_scope
from storage.models import Connection, EditBatch, EditBatchStatus, Profile
from storage.repositories import edits as repo
from storage.repositories.edits import StoredItem

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["cancel_edit", "confirm_edit", "edit_outcome"]


def confirm_edit(
    services: Services,
    *,
    batch_id: int,
    user_id: str,
    typed: str | None = None,
    now: datetime,
    is_manager: bool = False,
) -> EditOutcome:
    """Apply a previewed batch once and return its outcome (or the outcome it already has).

    Args:
        services: Shared services.
        batch_id: The preview's batch.
        user_id: Who confirms (must be an editor now, whoever previewed).
        typed: The confirmation word the user typed, when the preview asked for one.
        now: The current time.
        is_manager: The caller found the user to be a manager.

    Raises:
        NotFound: No such batch.
        PreviewExpired: The preview is older than 15 minutes.
        UserFacingError: A guard refused (not an editor, region disconnected or read-only …).
        ConfirmWordMismatch: A big change without its word.
    """
    with session_scope(services.engine, readonly=True) as session:
        batch = _batch(session, batch_id)
        if batch.status != EditBatchStatus.PREVIEWED:
            return outcome_of(session, batch)
        require_editor(services, session, team_id=batch.team_id, user_id=user_id, is_manager=is_manager)
        conn = session.get(Connection, batch.connection_id)
        items = repo.batch_items(session, batch_id=batch_id)
        profiles = repo.profiles_by_pk(session, pks={item.profile_pk for item in items})
    if batch.expires_at <= now:
        _close(services, batch_id=batch_id, status=EditBatchStatus.EXPIRED, now=now, expired=True)
        raise PreviewExpired("This preview is more than 15 minutes old.", hint="Preview the change again.")
    if conn is None:
        raise NotFound("That region is not connected any more.")
    check_region(conn)
    for profile in profiles.values():
        check_profile(profile)
    _check_word(batch.confirm_word, typed)
    client = ads_client_for(services, connection_id=batch.connection_id, conn=conn)
    mine = _apply(
        services, batch=batch, items=items, profiles=profiles, client=client, user_id=user_id, now=now
    )
    # the caller that applied it knows the outcome it just stored; one that lost the claim reads it
    return mine if mine is not None else edit_outcome(services, batch_id=batch_id)


def edit_outcome(services: Services, *, batch_id: int) -> EditOutcome:
    """The batch as it stands now.

    Raises:
        NotFound: No such batch.
    """
    with session_scope(services.engine, readonly=True) as session:
        return outcome_of(session, _batch(session, batch_id))


def cancel_edit(services: Services, *, batch_id: int, now: datetime) -> EditOutcome:
    """Drop a preview that was not confirmed (a no-op for a batch already past its preview)."""
    _close(services, batch_id=batch_id, status=EditBatchStatus.CANCELLED, now=now, expired=False)
    return edit_outcome(services, batch_id=batch_id)


def _batch(session: Session, batch_id: int) -> EditBatch:
    batch = repo.get_batch(session, batch_id=batch_id)
    if batch is None:
        raise NotFound("That change preview no longer exists.", hint="Preview the change again.")
    return batch


def _close(services: Services, *, batch_id: int, status: str, now: datetime, expired: bool) -> None:
    with session_scope(services.engine) as session:
        repo.close_batch(session, batch_id=batch_id, status=status, now=now, expired=expired)


def _check_word(word: str | None, typed: str | None) -> None:
    if word is None:
        return
    if " ".join((typed or "").split()).upper() != word:
        raise ConfirmWordMismatch(
            f"This is a big change: type `{word}` to confirm it.",
            hint="Nothing was changed. Type the word exactly, or cancel.",
        )


def _holds_claim(engine: Engine) -> bool:
    """Keep the claim's transaction open across the writes (PostgreSQL: a row lock, see the docstring)."""
    return engine.dialect.name == "postgresql"


def _apply(
    services: Services,
    *,
    batch: EditBatch,
    items: Sequence[StoredItem],
    profiles: dict[int, Profile],
    client: AdsClient,
    user_id: str,
    now: datetime,
) -> EditOutcome | None:
    """Claim, send and record; None when another caller won the claim. On PostgreSQL the claim's
    transaction stays open across the writes and takes each group's records as the group lands;
    elsewhere the claim commits first, and the groups' records and the status are written together once
    the last group has landed, even when Hilal itself failed (see the module docstring)."""
    assert batch.id is not None
    recorder = Recorder(batch, items, user_id=user_id, now=now)
    with session_scope(services.engine) as session:
        if not repo.claim_batch(session, batch_id=batch.id, user_id=user_id, now=now):
            return None
        if _holds_claim(services.engine):  # a failure rolls the claim back: the preview stays confirmable
            record: Record = partial(recorder.write, session)
            send_writes(client, items=items, profiles=profiles, record=record)
            return recorder.finish(session)
    answered: list[tuple[Sequence[StoredItem], Answers]] = []
    outcome = None  # stays None when the batch was taken over as abandoned: the caller reads it
    try:
        send_writes(
            client,
            items=items,
            profiles=profiles,
            record=lambda group, answers: answered.append((group, answers)),  # recorded below, in one go
        )
    finally:  # even when Hilal itself failed: the batch must not stay `applying`
        with session_scope(services.engine) as session:
            if repo.still_ours(session, batch_id=batch.id, claimed_at=now):  # see `abandoned.py`
                for group, answers in answered:
                    recorder.write(session, group, answers)
                outcome = recorder.finish(session)
    return outcome


Record = Callable[[Sequence[StoredItem], Answers], None]
"""Takes one group's items, with Amazon's answers, once Amazon has answered them (in the confirming
thread)."""


WRITERS = 4  # (profile, entity type) groups sent at once; the region's rate gate still paces every call


def send_writes(
    client: AdsClient,
    *,
    items: Sequence[StoredItem],
    profiles: dict[int, Profile],
    record: Record,
) -> None:
    """Send the items, group by (profile, entity type), up to `WRITERS` groups at once, and `record`
    each group once Amazon has answered it (in the preview's order of groups), while later groups may
    still be on their way (a group Amazon refused as a whole fails each of its items with the reason)."""
    groups: dict[tuple[int, str], list[StoredItem]] = {}
    for item in items:
        groups.setdefault((item.profile_pk, item.entity_type), []).append(item)

    def send(key: tuple[int, str]) -> tuple[list[StoredItem], Answers]:
        group = groups[key]
        profile_id = profiles[key[0]].profile_id
        return group, _send_group(client, profile_id=profile_id, entity_type=key[1], items=group)

    if len(groups) == 1:
        record(*send(next(iter(groups))))
        return
    with ThreadPoolExecutor(max_workers=min(WRITERS, len(groups)), thread_name_prefix="hilal-edit") as pool:
        for group, answers in pool.map(send, list(groups)):  # recorded in the preview's order of groups
            record(group, answers)


def _send_group(
    client: AdsClient, *, profile_id: str, entity_type: str, items: Sequence[StoredItem]
) -> Answers:
    """Amazon's answers for one group, `WRITE_BATCH` items a call, each call's updates built just before
    it is sent. A call Amazon refused as a whole (after the client's retries) fails its items and the
    group's later ones with the reason, and nothing more is sent; the calls before it keep their
    answers (their changes were applied)."""
    answers: dict[int, tuple[bool, str | None]] = {}
    for start in range(0, len(items), WRITE_BATCH):
        chunk = items[start : start + WRITE_BATCH]
        try:
            result = _write(client, profile_id=profile_id, entity_type=entity_type, items=chunk)
        except AmazonAdsError as exc:
            message = from_amazon(exc).detail
            answers.update((item.id, (False, message)) for item in items[start:])
            break
        answers.update(
            (item.id, (outcome.ok, None if outcome.ok else outcome.message))
            for item, outcome in zip(chunk, result.outcomes, strict=True)
        )
    return answers


def _write(
    client: AdsClient, *, profile_id: str, entity_type: str, items: Sequence[StoredItem]
) -> WriteResult:
    if entity_type == "campaign":
        return client.update_sp_campaigns(profile_id, [_campaign_update(item) for item in items])
    if entity_type == "ad_group":
        return client.update_sp_ad_groups(profile_id, [_ad_group_update(item) for item in items])
    return client.update_sp_keywords(profile_id, [_keyword_update(item) for item in items])


def _campaign_update(item: StoredItem) -> CampaignUpdate:
    if item.field == "state":
        return CampaignUpdate(campaign_id=item.entity_id, state=_state(item.after))
    return CampaignUpdate(campaign_id=item.entity_id, daily_budget=Decimal(item.after))


def _ad_group_update(item: StoredItem) -> AdGroupUpdate:
    if item.field == "state":
        return AdGroupUpdate(ad_group_id=item.entity_id, state=_state(item.after))
    return AdGroupUpdate(ad_group_id=item.entity_id, default_bid=Decimal(item.after))


def _keyword_update(item: StoredItem) -> KeywordUpdate:
    if item.field == "state":
        return KeywordUpdate(keyword_id=item.entity_id, state=_state(item.after))
    return KeywordUpdate(keyword_id=item.entity_id, bid=Decimal(item.after))


def _state(value: str) -> Literal["ENABLED", "PAUSED"]:
    return "PAUSED" if value == "PAUSED" else "ENABLED"
