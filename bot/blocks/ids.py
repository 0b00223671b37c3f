"""Block Kit ids shared by renderers and listeners, and the compact JSON metadata carried in values.

Listeners register on ``ActionId`` / ``CallbackId`` members (``@app.action(ActionId.REGION_SYNC_NOW)``;
StrEnum members are plain strings). Block ids may carry a per-render suffix after ``#`` (see
``bot.viewmodels``); use ``base_block_id`` to strip it when reading ``state.values``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum

__all__ = [
    "META_MAX_LENGTH",
    "OPTION_META_MAX_LENGTH",
    "PRIVATE_METADATA_MAX_LENGTH",
    "ActionId",
    "BlockId",
    "CallbackId",
    "CampaignOp",
    "MalformedMeta",
    "base_block_id",
    "block_id",
    "decode_meta",
    "encode_meta",
    "meta_int",
    "meta_str",
]

META_MAX_LENGTH = 2000  # button value
OPTION_META_MAX_LENGTH = 150  # option value (overflow menus)
PRIVATE_METADATA_MAX_LENGTH = 3000  # view private_metadata
_SUFFIX_SEPARATOR = "#"


class ActionId(StrEnum):
    """``action_id`` of every interactive element."""

    # Region cards
    REGION_CONNECT = "region.connect"  # link button (Slack still sends an action: ack it)
    REGION_RECONNECT = "region.reconnect"  # link button
    REGION_SYNC_NOW = "region.sync_now"
    REGION_DISCONNECT = "region.disconnect"  # danger button with confirm dialog; value {"region"}
    REGION_DISCONNECT_CANCEL = "region.disconnect_cancel"
    REGION_EDIT_MARKETPLACES = "region.edit_marketplaces"
    # Marketplace picker
    MARKETPLACES_SELECT = "marketplaces.select"  # checkboxes or multi_static_select (profile ids)
    MARKETPLACES_SAVE = "marketplaces.save"  # value {"region", "page"}
    MARKETPLACES_PAGE_NEXT = "marketplaces.page_next"  # value {"region", "page"} (target page)
    MARKETPLACES_PAGE_PREV = "marketplaces.page_prev"
    MARKETPLACES_SELECT_ALL = "marketplaces.select_all"  # value {"region", "page", "picker"}
    MARKETPLACES_CLEAR = "marketplaces.clear"  # value {"region", "page", "picker"}
    # Campaign list (message and Home)
    CAMPAIGNS_FILTER_REGION = "campaigns.filter.region"
    CAMPAIGNS_FILTER_MARKETPLACE = "campaigns.filter.marketplace"
    CAMPAIGNS_FILTER_STATE = "campaigns.filter.state"
    CAMPAIGNS_FILTER_TAG = "campaigns.filter.tag"
    CAMPAIGNS_FILTER_SEARCH = "campaigns.filter.search"  # button: opens the search modal
    CAMPAIGNS_FILTER_SORT = "campaigns.filter.sort"
    CAMPAIGNS_FILTER_CLEAR = "campaigns.filter.clear"
    CAMPAIGNS_FILTER_AT_RISK = "campaigns.filter.at_risk"  # checkboxes; option value "at_risk"
    CAMPAIGNS_PAGE_NEXT = "campaigns.page_next"  # value {"offset"} (target offset)
    CAMPAIGNS_PAGE_PREV = "campaigns.page_prev"
    CAMPAIGNS_OVERFLOW = "campaigns.overflow"  # option value {"op": CampaignOp, "id": campaign_id}
    CAMPAIGNS_SAVE_VIEW = "campaigns.save_view"  # button: opens the save-view modal
    # Saved views
    VIEWS_OPEN = "views.open"  # value {"name"}
    # Digest
    DIGEST_RECONNECT = "digest.reconnect"  # link button
    DIGEST_OPEN = "digest.open"  # button: opens the subscribe modal
    DIGEST_REPLACE = "digest.replace"  # value: the new subscription (see bot.services.digest.request_meta)
    DIGEST_KEEP = "digest.keep"  # value {"channel"}
    # Budget alerts
    ALERTS_OPEN = "alerts.open"  # button: opens the alerts subscribe modal
    # Live edits
    EDIT_CONFIRM = "edits.confirm"  # value {"b": batch id, "w": 1 when a typed word is needed}
    EDIT_CANCEL = "edits.cancel"  # value {"b"}
    EDIT_UNDO = "edits.undo"  # value {"b"}: the applied batch
    EDIT_STATE = (
        "edits.state"  # Details buttons; value {"k": "pause"|"enable", "t": entity type, "id": row id}
    )
    EDIT_BUDGET = "edits.budget"  # Details button: opens the amount modal; value {"id": campaign id}
    EDIT_KEYWORD = "edits.keyword"  # overflow per keyword; option value {"op": "bid"|"pause"|"enable", "id"}
    EDIT_BULK_PAUSE = "edits.bulk_pause"  # campaign list: every campaign the filter shows; value {"k"}
    EDIT_BULK_ENABLE = "edits.bulk_enable"
    EDIT_AMOUNT = "edits.amount"  # modal input: the new budget or bid
    EDIT_WORD = "edits.word"  # modal input: the confirmation word
    # Modal inputs (read from view.state.values[BlockId][ActionId])
    TAG_ADD = "tag.add"
    TAG_REMOVE = "tag.remove"
    NOTE_TEXT = "note.text"
    SEARCH_TEXT = "search.text"
    SAVE_VIEW_NAME = "save_view.name"
    SAVE_VIEW_SHARED = "save_view.shared"
    CHOOSE_CAMPAIGN = "choose_campaign.select"
    DIGEST_CHANNEL = "digest.channel"
    DIGEST_TIME = "digest.time"
    DIGEST_ZONE = "digest.zone"
    DIGEST_REGIONS = "digest.regions"
    DIGEST_VIEW = "digest.view"
    DIGEST_CHART = "digest.chart"
    ALERTS_CHANNEL = "alerts.channel"
    ALERTS_KIND = "alerts.kind"  # radio: "out_of_budget" | "at_risk"
    ALERTS_THRESHOLD = "alerts.threshold"
    ALERTS_REGIONS = "alerts.regions"
    ALERTS_MARKETPLACES = "alerts.marketplaces"


class CallbackId(StrEnum):
    """``callback_id`` of modals (``@app.view(CallbackId.TAG)``)."""

    TAG = "campaigns.tag"  # private_metadata {"id": campaign_id}
    NOTE = "campaigns.note"  # private_metadata {"id": campaign_id}
    SEARCH = "campaigns.search"  # private_metadata {"surface": "message"|"home"} when given
    SAVE_VIEW = "views.save"
    CHOOSE_CAMPAIGN = "campaigns.choose"  # private_metadata: the pending operation given by the caller
    CAMPAIGN_DETAILS = "campaigns.details"  # no submit
    DIGEST_SUBSCRIBE = "digest.subscribe"  # no private_metadata
    ALERTS_SUBSCRIBE = "alerts.subscribe"  # no private_metadata
    EDIT_AMOUNT = "edits.amount"  # private_metadata {"k": kind, "t": entity type, "id", "url"?, "channel"?}
    EDIT_CONFIRM_WORD = "edits.confirm_word"  # private_metadata {"b": batch id, "url": response_url}
    EDIT_CHOOSE_CAMPAIGN = "edits.choose"  # private_metadata: the pending edit {"op", "value", "keyword"…}


class BlockId(StrEnum):
    """``block_id`` bases; stateful blocks get ``#<suffix>`` (see ``block_id``)."""

    REGION_CARD = "region.card"  # suffix: region
    REGION_ACTIONS = "region.actions"  # suffix: region
    MARKETPLACES_SELECT = "marketplaces.select"  # suffix: render key (multi-select bug, reference §1.4)
    MARKETPLACES_ACTIONS = "marketplaces.actions"
    CAMPAIGNS_FILTER_REGION = "campaigns.filter.region"
    CAMPAIGNS_FILTER_MARKETPLACE = "campaigns.filter.marketplace"
    CAMPAIGNS_FILTER_STATE = "campaigns.filter.state"
    CAMPAIGNS_FILTER_TAG = "campaigns.filter.tag"
    CAMPAIGNS_FILTER_ACTIONS = "campaigns.filter.actions"
    CAMPAIGNS_ROW = "campaigns.row"  # suffix: campaign id
    CAMPAIGNS_PAGING = "campaigns.paging"
    VIEWS_ROW = "views.row"  # suffix: position
    DIGEST_HEALTH = "digest.health"
    EDIT_ACTIONS = "edits.actions"  # suffix: batch id and status
    EDIT_DETAIL_ACTIONS = "edits.detail_actions"  # suffix: campaign id
    EDIT_KEYWORD = "edits.keyword"  # suffix: keyword id
    EDIT_AMOUNT = "edits.amount"
    EDIT_WORD = "edits.word"
    # Modal inputs: fixed, so view_submission errors can be keyed by them.
    TAG_ADD = "tag.add"
    TAG_REMOVE = "tag.remove"
    NOTE_TEXT = "note.text"
    SEARCH_TEXT = "search.text"
    SAVE_VIEW_NAME = "save_view.name"
    SAVE_VIEW_SHARED = "save_view.shared"
    CHOOSE_CAMPAIGN = "choose_campaign.select"
    DIGEST_CHANNEL = "digest.channel"
    DIGEST_TIME = "digest.time"
    DIGEST_ZONE = "digest.zone"
    DIGEST_REGIONS = "digest.regions"
    DIGEST_VIEW = "digest.view"
    DIGEST_CHART = "digest.chart"
    ALERTS_CHANNEL = "alerts.channel"
    ALERTS_KIND = "alerts.kind"
    ALERTS_THRESHOLD = "alerts.threshold"
    ALERTS_REGIONS = "alerts.regions"
    ALERTS_MARKETPLACES = "alerts.marketplaces"


class CampaignOp(StrEnum):
    """What a campaign's overflow menu option asks for."""

    TAG = "tag"
    NOTE = "note"
    DETAILS = "details"
    PAUSE = "pause"  # live edits (shown only to editors)
    ENABLE = "enable"
    BUDGET = "budget"


def block_id(base: BlockId, suffix: str = "") -> str:
    """``base#suffix`` (just ``base`` for an empty suffix), cut to Slack's 255 characters.

    Args:
        base: The block id base.
        suffix: A region, campaign id or per-render key.

    Returns:
        The block id.
    """
    if not suffix:
        return base.value
    return f"{base}{_SUFFIX_SEPARATOR}{suffix}"[:255]


def base_block_id(value: str) -> str:
    """The base of a block id produced by ``block_id`` (``"campaigns.row#42"`` → ``"campaigns.row"``)."""
    return value.split(_SUFFIX_SEPARATOR, 1)[0]


def encode_meta(meta: Mapping[str, object], *, limit: int = META_MAX_LENGTH) -> str:
    """Serialise small metadata for a button value, option value or ``private_metadata`` as compact JSON.

    Args:
        meta: JSON-serialisable mapping (str, int, bool, None, lists of those).
        limit: Maximum length: 2000 for button values, 150 for option values, 3000 for private_metadata.

    Returns:
        Compact JSON with sorted keys (stable, so renders are byte-for-byte reproducible).

    Raises:
        ValueError: The encoded metadata is longer than ``limit``.
    """
    text = json.dumps(dict(meta), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if len(text) > limit:
        raise ValueError(f"metadata is {len(text)} characters, more than the {limit} allowed")
    return text


class MalformedMeta(ValueError):
    """A button value or modal metadata that Hilal did not write (or no longer reads): nothing is done."""


def decode_meta(value: str, *, limit: int = PRIVATE_METADATA_MAX_LENGTH) -> dict[str, object]:
    """Parse metadata written by ``encode_meta``.

    Args:
        value: The button value, option value or private_metadata.
        limit: Refuse longer input (it did not come from ``encode_meta``).

    Returns:
        The mapping.

    Raises:
        ValueError: Too long, not JSON, or not a JSON object.
    """
    if len(value) > limit:
        raise MalformedMeta(f"metadata is {len(value)} characters, more than the {limit} allowed")
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise MalformedMeta("metadata is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise MalformedMeta("metadata is not a JSON object")
    return parsed


def meta_str(meta: Mapping[str, object], key: str) -> str:
    """``meta[key]`` as a string; raises ValueError when missing or not a string."""
    value = meta.get(key)
    if not isinstance(value, str):
        raise MalformedMeta(f"metadata field {key!r} is missing or not a string")
    return value


def meta_int(meta: Mapping[str, object], key: str) -> int:
    """``meta[key]`` as an int; raises ValueError when missing or not an integer."""
    value = meta.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedMeta(f"metadata field {key!r} is missing or not an integer")
    return value
