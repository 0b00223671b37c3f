"""View-models: the contract between services (which build them) and Block Kit renderers (which draw them).

Plain frozen dataclasses, stdlib only. They carry amounts, not text: money as ``Money`` (a Decimal and its
currency), ratios as ``Decimal``, counts as ``int``, changes as ``Change``, a figure that does not exist
(a day Amazon has not delivered, a zero denominator) as None, marketplaces as country codes. Renderers
format them (``bot.blocks.format``), escape, truncate and lay out. Text a service writes itself is
``Mrkdwn`` (``bot.viewmodels.text``). Sequence fields accept lists or tuples; set fields accept ``set``
or ``frozenset``.

``render_key`` fields are a short per-render token chosen by the caller (a counter or a timestamp). It is
appended to the ``block_id`` of stateful blocks so that Slack redraws ``initial_options`` after an update
instead of keeping a stale selection (reference §1.2, §1.4). Renderers never invent one (no clock, no
randomness): an empty key gives fixed block ids.
"""

from __future__ import annotations

from bot.viewmodels.campaigns import (
    AT_RISK_PERCENT,
    AdGroupVM,
    CampaignDetailVM,
    CampaignFilterVM,
    CampaignMatchVM,
    CampaignPageVM,
    CampaignRowVM,
    CurrencyGroupVM,
    KeywordVM,
    NoteVM,
    SavedViewVM,
)
from bot.viewmodels.common import (
    ALL_REGIONS,
    REGION_NAMES,
    AccountType,
    Change,
    CommandHelp,
    Money,
    Region,
    RegionState,
    SortKey,
)
from bot.viewmodels.digest import (
    CurrencyTotalVM,
    DigestLineVM,
    DigestMetricVM,
    DigestVM,
    HealthVM,
    MarketplaceDigestVM,
    RegionDigestVM,
)
from bot.viewmodels.edits import (
    AmountFormVM,
    AuditLineVM,
    ConfirmWordVM,
    EditItemVM,
    EditOutcomeVM,
    EditPreviewVM,
    HistoryLineVM,
    HistoryVM,
    OutcomeItemVM,
)
from bot.viewmodels.home import HomeVM
from bot.viewmodels.regions import (
    MarketplaceOptionVM,
    MarketplacePickerVM,
    ReconnectNoticeVM,
    RegionCardVM,
    SyncProgressVM,
)

__all__ = [
    "ALL_REGIONS",
    "AT_RISK_PERCENT",
    "REGION_NAMES",
    "AccountType",
    "AdGroupVM",
    "AmountFormVM",
    "AuditLineVM",
    "CampaignDetailVM",
    "CampaignFilterVM",
    "CampaignMatchVM",
    "CampaignPageVM",
    "CampaignRowVM",
    "Change",
    "CommandHelp",
    "ConfirmWordVM",
    "CurrencyGroupVM",
    "CurrencyTotalVM",
    "DigestLineVM",
    "DigestMetricVM",
    "DigestVM",
    "EditItemVM",
    "EditOutcomeVM",
    "EditPreviewVM",
    "HealthVM",
    "HistoryLineVM",
    "HistoryVM",
    "HomeVM",
    "KeywordVM",
    "MarketplaceDigestVM",
    "MarketplaceOptionVM",
    "MarketplacePickerVM",
    "Money",
    "NoteVM",
    "OutcomeItemVM",
    "ReconnectNoticeVM",
    "Region",
    "RegionCardVM",
    "RegionDigestVM",
    "RegionState",
    "SavedViewVM",
    "SortKey",
    "SyncProgressVM",
]
