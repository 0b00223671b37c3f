"""SQLModel tables: the data of DESIGN §4.

Conventions:
- Everything is keyed by Slack team (`team_id`, plus `enterprise_id` where Slack gives one).
- Amazon ids (profiles, campaigns, ad groups, keywords, reports) are stored as **strings of decimal
  digits**. Entity lists return strings, reports return integers; both are normalised with `str(int(x))`
  before they reach storage, so joins between entities and metrics always match.
- Money is exact (`storage.types.Money`, read back as `Decimal`) and always travels with the currency of
  its profile. Dates are `date`; instants are timezone-aware UTC.
- Secrets are stored only as ciphertext (`*_enc` columns, see `storage.crypto`).
- Nothing is deleted by the app; rows vanishing upstream get `removed_at`. Only `hilal purge` deletes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Boolean, Column, Index, MetaData, Table, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.types import Money, UtcDateTime, utcnow

__all__ = [
    "AdGroup",
    "AdminUser",
    "AlertDelivery",
    "AlertMute",
    "AlertSubscription",
    "AuditEvent",
    "BudgetReading",
    "Campaign",
    "CampaignDailyMetric",
    "CampaignPacing",
    "CampaignWindowMetric",
    "CampaignWindowState",
    "Connection",
    "ConnectionStatus",
    "DigestDelivery",
    "DigestSubscription",
    "EditBatch",
    "EditBatchStatus",
    "EditItem",
    "EditorUser",
    "Keyword",
    "KeywordDailyMetric",
    "Note",
    "OAuthState",
    "PendingSelection",
    "Profile",
    "ProfileDayLoaded",
    "ReportJob",
    "SavedView",
    "SchedulerLease",
    "SyncPart",
    "SyncRun",
    "Tag",
    "UserFilterState",
    "Workspace",
]

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel class (typed, for bulk statements)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _ts(*, nullable: bool = True, index: bool = False) -> datetime | None:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)  # type: ignore[no-any-return]


def _created() -> datetime:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)  # type: ignore[no-any-return]


def _money() -> Decimal | None:
    return Field(default=None, sa_type=Money, nullable=True)  # type: ignore[no-any-return]


def _money_zero() -> Decimal:
    return Field(default=Decimal(0), sa_type=Money, nullable=False)  # type: ignore[no-any-return]


class ConnectionStatus:
    """Values of `Connection.status`."""

    CONNECTED = "connected"
    RECONNECT_NEEDED = "reconnect_needed"
    DISCONNECTED = "disconnected"


class Workspace(SQLModel, table=True):
    """A Slack installation (one per team, or per enterprise for org-wide installs)."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("team_id", "enterprise_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    enterprise_id: str = Field(default="", max_length=32)
    team_name: str = Field(default="", max_length=200)
    bot_user_id: str = Field(default="", max_length=32)
    bot_id: str = Field(default="", max_length=32)
    bot_token_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    bot_scopes: str = Field(default="", max_length=1000)
    installer_user_id: str = Field(default="", max_length=32)
    installed_at: datetime = _created()
    uninstalled_at: datetime | None = _ts()
    # A channel named by an admin that gets one line per live edit (None: no audit channel).
    audit_channel: str | None = Field(default=None, max_length=32)


class AdminUser(SQLModel, table=True):
    """A Slack user allowed to connect, disconnect and edit (besides workspace admins and owners)."""

    __tablename__ = "admin_user"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    added_by: str = Field(default="", max_length=32)
    created_at: datetime = _created()


class Connection(SQLModel, table=True):
    """One Amazon Ads region of one team; reused on every reconnect."""

    __tablename__ = "connection"
    __table_args__ = (UniqueConstraint("team_id", "region"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    enterprise_id: str = Field(default="", max_length=32)
    region: str = Field(max_length=2)
    status: str = Field(default=ConnectionStatus.CONNECTED, max_length=20)
    refresh_token_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    access_token_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    access_token_expires_at: datetime | None = _ts()
    connected_by: str = Field(default="", max_length=32)
    connected_at: datetime | None = _ts()
    disconnected_at: datetime | None = _ts()
    selection_confirmed: bool = Field(default=False)
    next_active_sync_at: datetime | None = _ts(index=True)
    next_archived_sync_at: datetime | None = _ts()
    next_report_sync_at: datetime | None = _ts()
    last_sync_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, max_length=500)
    warning: str | None = Field(default=None, max_length=500)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = _ts()
    reconnect_notified_at: datetime | None = _ts()
    progress_channel: str | None = Field(default=None, max_length=32)
    progress_ts: str | None = Field(default=None, max_length=32)
    # The finished sync's summary message while its performance reports are still with Amazon: edited in
    # place once they land (`bot.services.sync.landing`).
    summary_channel: str | None = Field(default=None, max_length=32)
    summary_ts: str | None = Field(default=None, max_length=32)
    # Bumped in the same transaction as every write to this region's campaigns or campaign metrics; the
    # campaign list's rollup records the team's sum it was built from (see `campaign_window`).
    data_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The region's switch refusing every live edit (reads and syncs go on). A server default only, so
    # inserts written for an older schema (migration tests) stay valid.
    read_only: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    # Intraday budget pacing (`bot.services.pacing`): when the next budget-usage poll is due (None: at once)
    # and when the last one finished.
    next_pacing_at: datetime | None = _ts()
    last_pacing_at: datetime | None = _ts()
    updated_at: datetime = _created()


class Profile(SQLModel, table=True):
    """An Amazon Ads profile: one (region, marketplace, account); the user ticks which to manage."""

    __tablename__ = "profile"
    __table_args__ = (UniqueConstraint("team_id", "region", "profile_id"),)
    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", index=True)
    team_id: str = Field(max_length=32)
    region: str = Field(max_length=2)
    profile_id: str = Field(max_length=32)
    country_code: str = Field(max_length=4)
    currency_code: str = Field(max_length=3)
    timezone: str = Field(max_length=64)
    marketplace_id: str = Field(default="", max_length=32)
    account_id: str = Field(default="", max_length=64)
    account_name: str = Field(default="", max_length=200)
    account_type: str = Field(default="seller", max_length=16)
    view_only: bool = Field(default=False)
    selected: bool = Field(default=False)
    removed_at: datetime | None = _ts()
    updated_at: datetime = _created()


class Campaign(SQLModel, table=True):
    """A campaign of any ad product (SP, SB, SD) under its profile."""

    __tablename__ = "campaign"
    __table_args__ = (
        UniqueConstraint("profile_pk", "campaign_id"),
        Index("ix_campaign_team_state", "team_id", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    profile_pk: int = Field(foreign_key="profile.id")
    team_id: str = Field(max_length=32)
    campaign_id: str = Field(max_length=32)
    ad_product: str = Field(default="SP", max_length=4)
    name: str = Field(max_length=400)
    state: str = Field(max_length=16)
    targeting_type: str | None = Field(default=None, max_length=16)
    budget: Decimal | None = _money()
    budget_type: str | None = Field(default=None, max_length=16)
    start_date: date | None = None
    end_date: date | None = None
    removed_at: datetime | None = _ts()
    updated_at: datetime = _created()
    # "Changed from Slack by @ada at …": set by a live edit, never written by a sync.
    edited_by: str | None = Field(default=None, max_length=32)
    edited_at: datetime | None = _ts()


class AdGroup(SQLModel, table=True):
    """A Sponsored Products ad group."""

    __tablename__ = "ad_group"
    __table_args__ = (
        UniqueConstraint("profile_pk", "ad_group_id"),
        Index("ix_ad_group_campaign", "profile_pk", "campaign_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    profile_pk: int = Field(foreign_key="profile.id")
    campaign_id: str = Field(max_length=32)
    ad_group_id: str = Field(max_length=32)
    name: str = Field(max_length=400)
    state: str = Field(max_length=16)
    default_bid: Decimal | None = _money()
    removed_at: datetime | None = _ts()
    updated_at: datetime = _created()
    # "Changed from Slack by @ada at …": set by a live edit, never written by a sync.
    edited_by: str | None = Field(default=None, max_length=32)
    edited_at: datetime | None = _ts()


class Keyword(SQLModel, table=True):
    """A Sponsored Products keyword."""

    __tablename__ = "keyword"
    __table_args__ = (
        UniqueConstraint("profile_pk", "keyword_id"),
        Index("ix_keyword_campaign", "profile_pk", "campaign_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    profile_pk: int = Field(foreign_key="profile.id")
    campaign_id: str = Field(max_length=32)
    ad_group_id: str = Field(max_length=32)
    keyword_id: str = Field(max_length=32)
    text: str = Field(max_length=400)
    match_type: str = Field(max_length=16)
    state: str = Field(max_length=16)
    bid: Decimal | None = _money()
    removed_at: datetime | None = _ts()
    updated_at: datetime = _created()
    # "Changed from Slack by @ada at …": set by a live edit, never written by a sync.
    edited_by: str | None = Field(default=None, max_length=32)
    edited_at: datetime | None = _ts()


class CampaignDailyMetric(SQLModel, table=True):
    """One campaign's performance on one day (the marketplace's own date), in its profile's currency."""

    __tablename__ = "campaign_daily_metric"
    __table_args__ = (UniqueConstraint("profile_pk", "campaign_id", "date"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_pk: int = Field(foreign_key="profile.id")
    campaign_id: str = Field(max_length=32)
    date: date
    currency: str = Field(max_length=3)
    impressions: int = 0
    clicks: int = 0
    cost: Decimal = _money_zero()
    sales: Decimal = _money_zero()
    orders: int = 0
    units: int = 0
    budget: Decimal | None = _money()
    updated_at: datetime = _created()


class CampaignWindowMetric(SQLModel, table=True):
    """The campaign list's index: one row per live campaign with its 7-day totals and its sort and filter
    keys. A rollup of `Campaign` and `CampaignDailyMetric` kept by `storage.repositories.campaign_window`
    (rows that did not change are not rewritten), so the list finds one page of 50,000 campaigns by
    walking an ordered index instead of summing and sorting millions of rows per request. What it was
    built from is in `CampaignWindowState`."""

    __tablename__ = "campaign_window_metric"
    __table_args__ = (
        # Counting a filter per currency: one narrow range per profile in scope (and its currency and
        # state), read from the index alone.
        Index("ix_campaign_window_metric_scope", "team_id", "profile_pk", "currency", "state_key"),
    )
    campaign_pk: int = Field(foreign_key="campaign.id", primary_key=True, ondelete="CASCADE")
    team_id: str = Field(max_length=32)
    profile_pk: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    # The profile's currency: money is sorted within a currency, so the spend index starts with it.
    currency: str = Field(max_length=3)
    state_key: str = Field(max_length=16)
    name_key: str = Field(max_length=400)
    spend: Decimal = _money_zero()
    sales: Decimal = _money_zero()
    acos_rank: float = -1.0


class CampaignWindowState(SQLModel, table=True):
    """What a team's `CampaignWindowMetric` rows were built from: the window's last day and the sum of
    the team's `Connection.data_version` at the time. Fresh when both still match."""

    __tablename__ = "campaign_window_state"
    team_id: str = Field(primary_key=True, max_length=32)
    window_end: date
    data_version: int = 0
    built_at: datetime = _created()


def _list_indexes() -> None:
    """One ordered index per list sort, each carrying the filter keys so a page is found inside it.

    Spend is ordered within each currency (money is never compared across currencies); ACOS, a ratio,
    is global, its ties broken by name rather than by spend.
    """
    t = table_of(CampaignWindowMetric)
    filters = (t.c.campaign_pk, t.c.profile_pk, t.c.state_key)
    Index(
        "ix_campaign_window_metric_spend", t.c.team_id, t.c.currency, t.c.spend.desc(), t.c.name_key, *filters
    )
    Index("ix_campaign_window_metric_name", t.c.team_id, t.c.name_key, *filters)
    Index("ix_campaign_window_metric_acos", t.c.team_id, t.c.acos_rank.desc(), t.c.name_key, *filters)


_list_indexes()


class KeywordDailyMetric(SQLModel, table=True):
    """One keyword's performance on one day, in its profile's currency."""

    __tablename__ = "keyword_daily_metric"
    __table_args__ = (
        UniqueConstraint("profile_pk", "keyword_id", "date"),
        Index("ix_keyword_metric_campaign", "profile_pk", "campaign_id", "date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    profile_pk: int = Field(foreign_key="profile.id")
    keyword_id: str = Field(max_length=32)
    campaign_id: str = Field(max_length=32)
    ad_group_id: str = Field(max_length=32)
    date: date
    currency: str = Field(max_length=3)
    impressions: int = 0
    clicks: int = 0
    cost: Decimal = _money_zero()
    sales: Decimal = _money_zero()
    orders: int = 0
    updated_at: datetime = _created()


class Tag(SQLModel, table=True):
    """A team's tag on a campaign; never removed by a sync."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("campaign_pk", "tag"), Index("ix_tag_team_tag", "team_id", "tag"))
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    campaign_pk: int = Field(foreign_key="campaign.id")
    tag: str = Field(max_length=50)
    created_by: str = Field(max_length=32)
    created_at: datetime = _created()


class Note(SQLModel, table=True):
    """A team's note on a campaign, with its author."""

    __tablename__ = "note"
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    campaign_pk: int = Field(foreign_key="campaign.id", index=True)
    author_id: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _created()


class SavedView(SQLModel, table=True):
    """A named campaign filter, personal or shared with the workspace."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("team_id", "owner_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    name: str = Field(max_length=80)
    shared: bool = Field(default=False)
    filter_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class UserFilterState(SQLModel, table=True):
    """Each user's last campaign filter, restored next time."""

    __tablename__ = "user_filter_state"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    filter_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = _created()


class DigestSubscription(SQLModel, table=True):
    """A channel's daily digest: local time and zone, scope (regions or a view), chart or not."""

    __tablename__ = "digest_subscription"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    subscriber_id: str = Field(max_length=32)
    local_time: str = Field(default="09:00", max_length=5)
    timezone: str = Field(max_length=64)
    regions: str = Field(default="na,eu,fe", max_length=16)
    view_id: int | None = Field(default=None, foreign_key="saved_view.id")
    chart: bool = Field(default=False)
    next_due_at: datetime | None = _ts(index=True)
    paused_at: datetime | None = _ts()
    pause_reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()


class DigestDelivery(SQLModel, table=True):
    """One digest for one subscription and local date; claimed before posting, so it is sent once."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "local_date"),)
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="digest_subscription.id")
    local_date: date
    claimed_by: str = Field(max_length=64)
    claimed_at: datetime = _created()
    status: str = Field(default="claimed", max_length=16)
    posted_at: datetime | None = _ts()
    message_ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=200)


class SyncRun(SQLModel, table=True):
    """One sync of one connection: kind, counts, duration and error (shown on the region card)."""

    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_connection_started", "connection_id", "started_at"),)
    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id")
    kind: str = Field(max_length=16)
    status: str = Field(default="running", max_length=16)
    started_at: datetime = _created()
    finished_at: datetime | None = _ts()
    counts_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    error: str | None = Field(default=None, max_length=500)


class SyncPart(SQLModel, table=True):
    """One profile of a sync split across workers: claimed by one worker at a time, its counts when done.

    A claim runs out at `claimed_until` unless its worker renews it, so a killed worker's part is taken
    by another. The rows stay until the connection's next split sync (they show who synced what).
    """

    __tablename__ = "sync_part"
    __table_args__ = (UniqueConstraint("run_id", "profile_pk"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="sync_run.id", index=True)
    connection_id: int = Field(foreign_key="connection.id", index=True)
    profile_pk: int = Field(foreign_key="profile.id")
    state: str = Field(default="pending", max_length=16)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = _ts()
    counts_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    error: str | None = Field(default=None, max_length=500)
    reconnect: bool = False


class ReportJob(SQLModel, table=True):
    """A resumable Amazon report: created → polled on later ticks → downloaded → ingested."""

    __tablename__ = "report_job"
    __table_args__ = (Index("ix_report_job_connection_status", "connection_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id")
    profile_pk: int = Field(foreign_key="profile.id")
    report_kind: str = Field(max_length=16)
    start_date: date
    end_date: date
    report_id: str | None = Field(default=None, max_length=64)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    polls: int = 0
    next_poll_at: datetime | None = _ts()
    created_at: datetime = _created()
    finished_at: datetime | None = _ts()
    failure_reason: str | None = Field(default=None, max_length=500)


class ProfileDayLoaded(SQLModel, table=True):
    """A marketplace-day Amazon has delivered: a report of `report_kind` covering `date` (the profile's own
    calendar day) completed and its rows were stored, even when it had none. A day without this row is
    "not loaded", never zero; `loaded_at` is when the latest such report was stored."""

    __tablename__ = "profile_day_loaded"
    __table_args__ = (UniqueConstraint("profile_pk", "report_kind", "date"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    profile_pk: int = Field(foreign_key="profile.id")
    report_kind: str = Field(max_length=16)
    date: date
    loaded_at: datetime = _created()


class OAuthState(SQLModel, table=True):
    """A pending Amazon consent: hashed state, PKCE verifier (encrypted), 10-minute expiry."""

    __tablename__ = "oauth_state"
    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    team_id: str = Field(max_length=32)
    enterprise_id: str = Field(default="", max_length=32)
    user_id: str = Field(max_length=32)
    region: str = Field(max_length=2)
    code_verifier_enc: str = Field(sa_column=Column(Text, nullable=False))
    browser_nonce_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    used_at: datetime | None = _ts()


class PendingSelection(SQLModel, table=True):
    """The ticks of one open marketplace picker, kept apart from `Profile.selected` until Save.

    Every rendered picker gets its own `picker_id` (carried in its button values and select block id);
    ticks and page changes update only this row, Save copies it to the profiles and deletes it. Rows
    expire after a day: expired ones are ignored and deleted when the next picker opens. This is
    interface state, not data, so the app may delete it.
    """

    __tablename__ = "pending_selection"
    picker_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32)
    region: str = Field(max_length=2)
    opened_by: str = Field(default="", max_length=32)
    selected_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False, index=True)
    # Slack's `action_ts` of the latest tick applied: an older tick arriving late is ignored, so the
    # picker never goes back to what the user saw a moment earlier.
    last_action_ts: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})


class AuditEvent(SQLModel, table=True):
    """Who did what that matters (connect, disconnect, purge, key rotation)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_campaign", "campaign_pk", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(default="", max_length=32, index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=40)
    detail_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = _created()
    # The campaign a live edit touched (its own, or its keyword's or ad group's), for its history. Not a
    # foreign key: the trail outlives a purged campaign.
    campaign_pk: int | None = Field(default=None)


class EditorUser(SQLModel, table=True):
    """A Slack user an admin named as an editor: may make live edits besides the managers."""

    __tablename__ = "editor_user"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    added_by: str = Field(default="", max_length=32)
    created_at: datetime = _created()


class EditBatchStatus:
    """Values of `EditBatch.status`: previewed → applying → applied | partial | failed; or cancelled,
    expired. Only `claim_batch` moves a batch out of `previewed` into `applying` (exactly once)."""

    PREVIEWED = "previewed"
    APPLYING = "applying"
    APPLIED = "applied"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class EditBatch(SQLModel, table=True):
    """A previewed live edit of one region (pause, enable, budget, bid, default_bid), applied once."""

    __tablename__ = "edit_batch"
    __table_args__ = (Index("ix_edit_batch_team_status", "team_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    region: str = Field(max_length=2)
    connection_id: int = Field(foreign_key="connection.id", index=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    status: str = Field(default=EditBatchStatus.PREVIEWED, max_length=16)
    kind: str = Field(max_length=16)
    # The word the user must type to confirm a big change (None: a plain Confirm is enough).
    confirm_word: str | None = Field(default=None, max_length=40)
    undo_of: int | None = Field(default=None, foreign_key="edit_batch.id")
    applied_by: str | None = Field(default=None, max_length=32)
    applied_at: datetime | None = _ts()
    summary_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class EditItem(SQLModel, table=True):
    """One entity of an `EditBatch`: the field it sets, before → after, and what Amazon answered.

    `before`, `after` and `amazon_value` are text (`PAUSED`, `80.00`): Amazon's value read at preview
    time is `amazon_value`, and `before` is that value (it may differ from the synced copy).
    """

    __tablename__ = "edit_item"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="edit_batch.id", index=True)
    profile_pk: int = Field(foreign_key="profile.id")
    entity_type: str = Field(max_length=16)
    entity_id: str = Field(max_length=32)
    entity_name: str = Field(max_length=400)
    campaign_pk: int = Field(foreign_key="campaign.id")
    field: str = Field(max_length=16)
    before: str = Field(max_length=32)
    after: str = Field(max_length=32)
    amazon_value: str = Field(max_length=32)
    currency: str = Field(max_length=3)
    status: str = Field(default="pending", max_length=16)
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class SchedulerLease(SQLModel, table=True):
    """Named leases with an expiry (the single scheduler; anything else that must run once)."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=64)
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class BudgetReading(SQLModel, table=True):
    """One intraday budget-usage reading of one campaign (Amazon's figure at Hilal's read time).

    `local_date` is the marketplace's day the figure belongs to (profile time zone, from Amazon's
    `usageUpdatedTimestamp`); the rows of one day are the Details chart. Unique per (campaign, day, read).
    """

    __tablename__ = "budget_reading"
    __table_args__ = (UniqueConstraint("campaign_pk", "local_date", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_pk: int = Field(foreign_key="campaign.id")
    local_date: date
    percent: Decimal = Field(sa_type=Money, nullable=False)
    budget: Decimal | None = _money()
    currency: str = Field(max_length=3)
    amazon_updated_at: datetime | None = _ts()
    read_at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class CampaignPacing(SQLModel, table=True):
    """A campaign's latest budget-usage reading (what the list shows, sorts and filters by).

    `day_ends_at` is the marketplace's midnight ending `local_date` (UTC): the reading is "today's" while
    it is in the future; after it (or after a disconnect) it is shown "as of …" only.
    """

    __tablename__ = "campaign_pacing"
    campaign_pk: int = Field(foreign_key="campaign.id", primary_key=True)
    local_date: date
    day_ends_at: datetime = Field(sa_type=UtcDateTime, nullable=False, index=True)
    percent: Decimal = Field(sa_type=Money, nullable=False)
    budget: Decimal | None = _money()
    currency: str = Field(max_length=3)
    amazon_updated_at: datetime | None = _ts()
    read_at: datetime = Field(sa_type=UtcDateTime, nullable=False)


class AlertSubscription(SQLModel, table=True):
    """A channel's budget alerts: out of budget (`threshold` 100) or at risk (≥ `threshold` %), scoped by
    regions and marketplaces (comma-separated; empty: all). One per channel; unsubscribing keeps the row."""

    __tablename__ = "alert_subscription"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    subscriber_id: str = Field(max_length=32)
    threshold: int = Field(default=100)
    regions: str = Field(default="", max_length=16)
    marketplaces: str = Field(default="", max_length=200)
    active: bool = Field(default=True)
    paused_at: datetime | None = _ts()
    pause_reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()


class AlertDelivery(SQLModel, table=True):
    """One alert of one kind (`at_risk`, `out_of_budget`) for one campaign, subscription and marketplace
    day; claimed before posting (insert, unique), so it is posted once across processes and restarts."""

    __tablename__ = "alert_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "campaign_pk", "local_date", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="alert_subscription.id")
    campaign_pk: int = Field(foreign_key="campaign.id")
    local_date: date
    kind: str = Field(max_length=16)
    claimed_by: str = Field(max_length=64)
    claimed_at: datetime = _created()
    status: str = Field(default="claimed", max_length=16)
    posted_at: datetime | None = _ts()
    message_ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=200)


class AlertMute(SQLModel, table=True):
    """ "Mute for today": no more alerts for one campaign in one channel on one marketplace day."""

    __tablename__ = "alert_mute"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "campaign_pk", "local_date"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    campaign_pk: int = Field(foreign_key="campaign.id")
    local_date: date
    muted_by: str = Field(max_length=32)
    created_at: datetime = _created()
