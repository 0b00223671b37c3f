"""Golden files for representative outputs (HILAL_UPDATE_GOLDENS=1 rewrites them), and limits over all."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.blocks.campaigns import render_campaign_details, render_campaign_message
from bot.blocks.digest import render_digest
from bot.blocks.help import render_help
from bot.blocks.home import render_home
from bot.blocks.limits import check_message, check_view
from bot.blocks.marketplaces import render_marketplace_picker
from bot.blocks.modals import render_tag_modal
from bot.blocks.region_card import render_region_cards_message
from bot.blocks.sync import render_sync_progress
from bot.viewmodels import (
    CampaignDetailVM,
    CampaignFilterVM,
    CommandHelp,
    DigestVM,
    HomeVM,
    MarketplacePickerVM,
    Region,
    RegionCardVM,
    SavedViewVM,
    SyncProgressVM,
)
from tests.blocks import test_digest
from tests.blocks.factories import SYNCED_AT, page, profiles, row
from tests.blocks.helpers import GOLDEN_DIR, assert_golden

HOUR, DAY = timedelta(hours=1), timedelta(days=1)

URL = "https://hilal.example/amazon/oauth/start?region={}"
CARDS = [
    RegionCardVM(
        Region.NA,
        "North America",
        "connected",
        URL.format("na"),
        (("US", "Acme Inc"),),
        SYNCED_AT,
        SYNCED_AT + HOUR,
    ),
    RegionCardVM(
        Region.EU,
        "Europe",
        "reconnect_needed",
        URL.format("eu"),
        (("DE", "Acme GmbH"),),
        SYNCED_AT - DAY,
        warning="Amazon revoked the grant.",
    ),
    RegionCardVM(
        Region.FE, "Far East", "disconnected", URL.format("fe"), (("JP", "Acme KK"),), SYNCED_AT - 11 * DAY
    ),
]


def _picker(count: int) -> Any:
    opts = profiles(count, blocked=1)
    selected = {o.profile_id for o in opts[::2]}
    return render_marketplace_picker(MarketplacePickerVM(Region.EU, opts, selected, render_key="g1"))


RENDERS: dict[str, Callable[[], Any]] = {
    "region_cards": lambda: render_region_cards_message(CARDS),
    "region_card_choose_marketplaces": lambda: render_region_cards_message(
        [
            RegionCardVM(
                Region.FE, "Far East", "connected", None, (("JP", "Acme KK"),), needs_marketplaces=True
            )
        ]
    ),
    "marketplace_picker_checkboxes": lambda: _picker(4),
    "marketplace_picker_grouped": lambda: _picker(12),
    "campaigns_message": lambda: render_campaign_message(page(3, total=412, offset=40, regions=["eu"])),
    "campaign_details": lambda: render_campaign_details(CampaignDetailVM(row(7), synced_at=SYNCED_AT)),
    "home": lambda: render_home(
        HomeVM(
            CARDS,
            page(2),
            [SavedViewVM("EU brand", True, "U01", CampaignFilterVM(regions=("eu",), tags=("brand",)))],
        )
    ),
    "digest": lambda: render_digest(
        DigestVM(
            "Tue 14 May 2025",
            [test_digest.eu(1)],
            test_digest.health(),
            restatement_note="Amazon may restate the last 3 days.",
        )
    ),
    "help_unknown": lambda: render_help(
        [CommandHelp("connect REGION", "Connect a region", "/hilal connect eu")], unknown="frob"
    ),
    "tag_modal": lambda: render_tag_modal("Brand exact", "c1", ["brand"]),
    "sync_finished": lambda: render_sync_progress(
        SyncProgressVM(Region.EU, 3, 3, {"campaigns": 412, "ad_groups": 3120, "keywords": 28400}, 30, True)
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_golden(name: str) -> None:
    assert_golden(name, RENDERS[name]())


def _surfaces(data: Any) -> list[dict[str, Any]]:
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("path", sorted(GOLDEN_DIR.glob("*.json")), ids=lambda p: Path(p).stem)
def test_every_golden_is_within_limits(path: Path) -> None:
    for item in _surfaces(json.loads(path.read_text(encoding="utf-8"))):
        problems = check_view(item) if item.get("type") in ("modal", "home") else check_message(item)
        assert problems == []
