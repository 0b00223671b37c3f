"""Amazon connections per region: consent (OAuth), profiles, marketplaces, tokens and reconnects.

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.connections.amazon_access import access_token_context, ads_client_for
from bot.services.connections.card_reply import CardReply, open_card_reply, seal_card_reply
from bot.services.connections.links import LinkExpired, connect_url, read_ticket
from bot.services.connections.oauth import (
    ConsentOutcome,
    back_to_slack,
    begin_consent,
    complete_consent,
    may_connect,
    slack_links,
)
from bot.services.connections.profiles import fetch_profiles
from bot.services.connections.reconnect import mark_reconnect_needed
from bot.services.connections.regions import (
    OpenPicker,
    build_picker_vm,
    build_region_cards,
    fill_picker,
    open_picker,
    picker_action_is_latest,
    save_picker,
    update_picker,
)
from bot.services.connections.store import disconnect_region, save_selection, store_connection

__all__ = [
    "CardReply",
    "ConsentOutcome",
    "LinkExpired",
    "OpenPicker",
    "access_token_context",
    "ads_client_for",
    "back_to_slack",
    "begin_consent",
    "build_picker_vm",
    "build_region_cards",
    "complete_consent",
    "connect_url",
    "disconnect_region",
    "fetch_profiles",
    "fill_picker",
    "mark_reconnect_needed",
    "may_connect",
    "open_card_reply",
    "open_picker",
    "picker_action_is_latest",
    "read_ticket",
    "save_picker",
    "save_selection",
    "seal_card_reply",
    "slack_links",
    "store_connection",
    "update_picker",
]
