"""The campaign list: filters, the rolled-up window, tags and notes, and saved views.

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.campaigns.annotations import (
    AmbiguousCampaign,
    add_note,
    clean_note,
    clean_tags,
    get_campaign,
    parse_tags,
    resolve_campaign,
    tag_campaign,
    untag_campaign,
)
from bot.services.campaigns.filters import (
    SEARCH_MAX_LENGTH,
    CampaignFilter,
    marketplaces_in,
    parse_campaign_filter,
)
from bot.services.campaigns.listing import (
    build_campaign_page_vm,
    build_detail_vm,
    ensure_window,
    list_campaigns,
    load_user_filter,
    load_user_state,
    metrics_window,
    page_query,
    refresh_window_quietly,
    remember_filter,
    window_state,
)
from bot.services.campaigns.page import Surface, build_page
from bot.services.campaigns.saved_views import (
    delete_view,
    find_view,
    list_views,
    quoted_view_name,
    save_view,
    validate_view_name,
    view_matching,
)
from bot.services.campaigns.text_input import require_text

__all__ = [
    "SEARCH_MAX_LENGTH",
    "AmbiguousCampaign",
    "CampaignFilter",
    "Surface",
    "add_note",
    "build_campaign_page_vm",
    "build_detail_vm",
    "build_page",
    "clean_note",
    "clean_tags",
    "delete_view",
    "ensure_window",
    "find_view",
    "get_campaign",
    "list_campaigns",
    "list_views",
    "load_user_filter",
    "load_user_state",
    "marketplaces_in",
    "metrics_window",
    "page_query",
    "parse_campaign_filter",
    "parse_tags",
    "quoted_view_name",
    "refresh_window_quietly",
    "remember_filter",
    "require_text",
    "resolve_campaign",
    "save_view",
    "tag_campaign",
    "untag_campaign",
    "validate_view_name",
    "view_matching",
    "window_state",
]
