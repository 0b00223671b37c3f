"""The README walkthrough, in a real browser: console → consent → picker → sync (performance still
loading) → a digest preview that says "not loaded yet" → reports land → the mixed-currency campaign list →
the digest with its chart → a restart of local mode that keeps everything → disconnect → reconnect.

Hilal runs as `hilal run` does in local mode (see `conftest.LocalHilal`); Chromium drives the Slack
console and the Amazon simulator's consent page like a person would, and every step asserts what that
person sees. The screenshots the README links (`docs/screenshots/NN-step.png`) are taken here: a test run
writes them to a temporary folder, `make screenshots` refreshes the README's copies.

Waiting is done by Playwright's auto-waiting assertions (`expect`), never by sleeping.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.jobs.tick import poll_reports
from bot.runtime import Runtime
from tests.e2e.conftest import LocalHilal
from tests.e2e.console import REGION_FILTER, VIEWPORT, Console, shoot

pytestmark = pytest.mark.e2e

STEP_TIMEOUT_MS = 15_000
SYNC_TIMEOUT_MS = 60_000
DEFAULT_EXPECT_MS = 5_000  # Playwright's own default, restored after the walk
REPORT_DELAY_S = 3600  # Amazon keeps the first reports for an hour of simulated time


def _consent(console: Console, button: str, *, first_shot: str | None, second_shot: str | None) -> None:
    """Click a region card's link button, approve on the simulator's consent page, see Hilal's page."""
    from playwright.sync_api import expect

    card = console.message("Far East (FE)")
    with console.page.context.expect_page() as opened:
        card.get_by_role("button", name=button).click()
    consent = opened.value
    consent.set_viewport_size(VIEWPORT)
    expect(consent.get_by_role("button", name="Allow")).to_be_visible()
    expect(consent.locator(".region")).to_contain_text("Far East")
    if first_shot:
        shoot(consent, first_shot)
    consent.get_by_role("button", name="Allow").click()
    expect(consent.get_by_text("Connected — back to Slack").first).to_be_visible()
    expect(consent.locator("body")).to_contain_text("Far East")
    if second_shot:
        shoot(consent, second_shot)
    consent.close()
    console.page.bring_to_front()


def _step_connect(console: Console, runtime: Runtime) -> None:
    from playwright.sync_api import expect

    assert runtime.local is not None, "no Slack credentials: local mode must be on"
    console.page.goto(runtime.local.console_url)
    expect(console.page.locator("#workspace-name")).to_have_text("Demo Co")
    console.open_channel("ppc")
    console.run("/hilal connect fe")
    card = console.message("Far East (FE)")
    expect(card).to_contain_text("Not connected")
    expect(card).to_contain_text("Only visible to you")
    expect(card.get_by_role("button", name="Connect")).to_be_visible()
    console.shot("01-connect-card.png")
    _consent(console, "Connect", first_shot="02-consent.png", second_shot="03-connected.png")


def _tick(console: Console, picker: Any, country: str, *, selected: int) -> None:
    from playwright.sync_api import expect

    box = picker.get_by_role("checkbox", name=re.compile(rf"\b{country}\b"))
    with console.page.expect_response(re.compile(r"/console/action$")):
        box.check()
    expect(box).to_be_checked()
    # Hilal re-renders the picker with the new count; a person reads it before the next click.
    expect(picker).to_contain_text(f"Selected: {selected} of 2 marketplaces")


def _step_picker(console: Console) -> None:
    from playwright.sync_api import expect

    console.open_app_messages()
    picker = console.message("Choose the marketplaces Hilal manages in Far East (FE)")
    expect(picker).to_be_visible()
    for country in ("JP", "AU"):
        expect(picker.get_by_role("checkbox", name=re.compile(rf"\b{country}\b"))).not_to_be_checked()
    _tick(console, picker, "JP", selected=1)
    _tick(console, picker, "AU", selected=2)
    console.shot("04-picker.png")


def _step_save(console: Console) -> None:
    from playwright.sync_api import expect

    picker = console.message("Choose the marketplaces Hilal manages in Far East (FE)")
    picker.get_by_role("button", name="Save").click()
    # The picker message turns into the sync's progress message (updated in place).
    expect(console.page.locator("#timeline article.msg", has_text="Choose the marketplaces")).to_have_count(0)


def _step_synced(console: Console) -> None:
    from playwright.sync_api import expect

    done = console.message("Far East (FE) is synced")
    expect(done).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(done).to_contain_text("2 marketplaces")
    expect(done).to_contain_text("campaigns")
    expect(done).to_contain_text("performance still loading")  # never "0 days of performance"
    console.shot("05-synced.png")


def _step_campaigns(console: Console) -> None:
    from playwright.sync_api import expect

    console.open_channel("ppc")
    console.run("/hilal campaigns region fe")
    listing = console.campaigns()
    region = listing.locator(REGION_FILTER)
    expect(region).to_have_values(["fe"])
    expect(listing).to_contain_text(re.compile(r"\bJP\b|\bAU\b"))
    with console.page.expect_response(re.compile(r"/console/action$")):
        region.select_option(["na"])
    expect(console.campaigns()).to_contain_text("No campaigns match these filters")
    region = console.campaigns().locator(REGION_FILTER)
    with console.page.expect_response(re.compile(r"/console/action$")):
        region.select_option(["fe"])
    listing = console.campaigns()
    expect(listing).not_to_contain_text("No campaigns match these filters")
    # JP (yen) and AU (Australian dollars): spend is compared within each currency, a header per group
    expect(listing).to_contain_text("Spend is compared within each currency.")
    expect(listing).to_contain_text(re.compile(r"JPY · \d+ campaigns"))
    console.shot("06-campaigns.png", top=listing)
    console.run("/hilal view save fe-daily")
    expect(console.message("fe-daily")).to_contain_text("Saved view “fe-daily”")


def _step_digest_not_loaded(console: Console) -> None:
    """Right after the first sync Amazon still holds the reports: the preview says so, never a zero."""
    from playwright.sync_api import expect

    console.open_channel("ppc")
    console.run("/hilal digest subscribe at 09:00 Asia/Tokyo chart")
    expect(console.message("Daily digest set up")).to_contain_text("09:00 Asia/Tokyo")
    console.run("/hilal digest preview")
    digest = console.message("Amazon Ads digest")
    expect(digest).to_contain_text("not loaded yet (Amazon report pending since")
    expect(digest).not_to_contain_text("Spend ¥0")


def _land_reports(console: Console, hilal: LocalHilal) -> None:
    """Amazon finishes the reports; Hilal's next poll loads them and edits the sync summary in place."""
    from playwright.sync_api import expect

    assert hilal.runtime is not None
    hilal.advance(REPORT_DELAY_S + 60)
    poll_reports(hilal.runtime.services, now=hilal.now())
    console.open_app_messages()
    done = console.message("Far East (FE) is synced")
    expect(done).to_contain_text("days of performance")
    expect(done).not_to_contain_text("still loading")


def _step_digest(console: Console) -> None:
    from playwright.sync_api import expect

    console.run("/hilal digest preview")
    expect(console.message("Preview, only visible to you")).to_be_visible()
    digest = console.message("Amazon Ads digest")
    for shown in ("JP · Demo Seller", "AU · Demo Seller", "Spend", "ACOS", "Sync health"):
        expect(digest).to_contain_text(shown)
    expect(digest).not_to_contain_text("not loaded yet")
    chart = digest.locator("figure.image-block img")
    expect(chart).to_be_visible()  # the 14-day chart, inside the digest message
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), "the chart image did not load"
    console.shot("07-digest.png", top=console.message("Preview, only visible to you"))


def _step_restart(console: Console, hilal: LocalHilal) -> None:
    """Stop local mode and start it again from the same folder: the open tab carries on, and every
    connection, view, tag and subscription is still there."""
    from playwright.sync_api import expect

    hilal.restart()
    console.page.reload()
    expect(console.page.locator("#workspace-name")).to_have_text("Demo Co")
    console.open_channel("ppc")
    expect(console.message("Daily digest set up")).to_be_visible()  # the conversation so far
    console.run("/hilal view fe-daily")
    listing = console.campaigns()
    expect(listing).to_contain_text("View: fe-daily")
    expect(listing).to_contain_text(re.compile(r"JPY · \d+ campaigns"))
    console.run("/hilal regions")
    card = console.message("Far East (FE)")
    expect(card).to_contain_text("Connected")
    expect(card).to_contain_text("JP")
    console.run("/hilal digest list")
    expect(console.message("09:00 Asia/Tokyo")).to_be_visible()


def _step_disconnect(console: Console) -> None:
    from playwright.sync_api import expect

    console.open_channel("ppc")
    console.run("/hilal disconnect fe")
    question = console.message("Disconnect Far East")
    expect(question).to_contain_text("history")
    question.get_by_role("button", name="Disconnect").click()
    card = console.message("Far East (FE)")
    expect(card).to_contain_text("Disconnected — history kept")
    expect(card).to_contain_text("History kept")
    expect(card.get_by_role("button", name="Reconnect")).to_be_visible()
    expect(console.message("FE is disconnected")).to_contain_text("kept")
    console.shot("08-disconnected.png", top=card)


def _step_reconnect(console: Console) -> None:
    from playwright.sync_api import expect

    console.run("/hilal connect fe")
    card = console.message("Far East (FE)")
    expect(card).to_contain_text("Disconnected — history kept")
    _consent(console, "Reconnect", first_shot=None, second_shot=None)
    console.open_app_messages()
    picker = console.message("You reconnected Far East")
    expect(picker).to_be_visible()
    for country in ("JP", "AU"):
        expect(picker.get_by_role("checkbox", name=re.compile(rf"\b{country}\b"))).to_be_checked()
    console.shot("09-reconnect-picker.png")


def test_walkthrough(hilal: LocalHilal, chromium: Any) -> None:
    from playwright.sync_api import expect

    runtime = hilal.runtime
    assert runtime is not None and runtime.local is not None, "no Slack credentials: local mode must be on"
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    console = Console(context.new_page())
    try:
        _step_connect(console, runtime)
        _step_picker(console)
        runtime.local.amazon.set_report_delay(REPORT_DELAY_S)  # reports the first sync asks for stay pending
        _step_save(console)
        _step_synced(console)
        _step_digest_not_loaded(console)
        _land_reports(console, hilal)
        _step_campaigns(console)
        _step_digest(console)
        _step_restart(console, hilal)
        _step_disconnect(console)
        _step_reconnect(console)
    finally:
        context.close()
        expect.set_options(timeout=DEFAULT_EXPECT_MS)
    assert not console.raw_markup, f"raw Slack markup shown to the user: {console.raw_markup}"
