"""Live edits in a real browser: pause a campaign from its row menu (a preview first, the outcome in
place of it), raise a budget past the guard (the typed word, a wrong word answered in the modal), Undo
it, and after a disconnect an edit is refused with the way on.

Hilal runs as `hilal run` does in local mode (`conftest.LocalHilal`) and Chromium drives the Slack
console like a person would; every step asserts what that person sees. Screenshots `10-edit-preview.png`,
`11-edit-confirm-word.png` and `12-edit-outcome.png` go where `tests/e2e/shots.py` says. Waiting is done by
Playwright's auto-waiting assertions, never by sleeping.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.runtime import Runtime
from tests.e2e.conftest import LocalHilal
from tests.e2e.console import VIEWPORT, Console
from tests.e2e.test_walkthrough import (
    DEFAULT_EXPECT_MS,
    STEP_TIMEOUT_MS,
    SYNC_TIMEOUT_MS,
    _consent,
    _step_disconnect,
    _step_save,
    _tick,
)

pytestmark = pytest.mark.e2e

NOTHING_SENT = "Nothing is sent to Amazon until you confirm"
ROW = 'div.block-section[data-block-id^="campaigns.row#"]'
ACTION = re.compile(r"/console/(action|submit)$")


def _connect_and_sync(console: Console, runtime: Runtime) -> None:
    """Far East connected with JP and AU, synced (as the README walk does, without its screenshots)."""
    from playwright.sync_api import expect

    assert runtime.local is not None, "no Slack credentials: local mode must be on"
    console.page.goto(runtime.local.console_url)
    expect(console.page.locator("#workspace-name")).to_have_text("Demo Co")
    console.open_channel("ppc")
    console.run("/hilal connect fe")
    expect(console.message("Far East (FE)").get_by_role("button", name="Connect")).to_be_visible()
    _consent(console, "Connect", first_shot=None, second_shot=None)
    console.open_app_messages()
    picker = console.message("Choose the marketplaces Hilal manages in Far East (FE)")
    _tick(console, picker, "JP", selected=1)
    _tick(console, picker, "AU", selected=2)
    _step_save(console)
    expect(console.message("Far East (FE) is synced")).to_be_visible(timeout=SYNC_TIMEOUT_MS)


def _pick(console: Console, row: Any, name: str) -> None:
    """Open a row's ⋯ menu and pick `name` (reopened if a re-render closed it under the pointer)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(3):
        button = row.get_by_role("button", name="More actions")
        if button.get_attribute("aria-expanded") != "true":
            button.click()
        try:
            with console.page.expect_response(ACTION):
                row.get_by_role("menuitem", name=name).click(timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the row menu never offered {name!r}")


def _step_pause_from_row(console: Console) -> str:
    """Pause an enabled campaign from its row menu; returns its name."""
    from playwright.sync_api import expect

    console.open_channel("ppc")
    console.run("/hilal campaigns region fe state enabled")
    row = console.campaigns().locator(ROW, has_text=re.compile(r"· SP · enabled")).first
    name = row.locator("b, strong").first.inner_text().strip()
    _pick(console, row, "⏸ Pause…")
    preview = console.message(NOTHING_SENT)
    expect(preview).to_contain_text(f"“{name}”: enabled → paused")
    expect(preview).to_contain_text("stops spend from now on")
    expect(preview).to_contain_text("Only visible to you")
    expect(console.campaigns().locator(ROW, has_text=name)).to_contain_text("· SP · enabled")  # not yet
    console.shot("10-edit-preview.png", top=preview)
    preview.get_by_role("button", name="Confirm").click()
    outcome = console.message("1 paused")
    expect(outcome).to_contain_text(f"“{name}”: enabled → paused")
    expect(outcome).to_contain_text("Changed from Slack by")
    expect(outcome.get_by_role("button", name="Undo")).to_be_visible()
    expect(console.page.locator("#timeline article.msg", has_text=NOTHING_SENT)).to_have_count(0)  # in place
    return str(name)


def _step_budget_past_the_guard(console: Console, name: str) -> tuple[str, str]:
    """`/hilal budget NAME +150%`: the typed word; returns the budget before and after, as shown."""
    from playwright.sync_api import expect

    console.run(f'/hilal budget "{name}" +150%')
    preview = console.message(NOTHING_SENT)
    expect(preview).to_contain_text("Confirm asks you to type RAISE")
    line = preview.locator("section, .block-section", has_text=f"“{name}”").first.inner_text()
    found = re.search(rf"“{re.escape(name)}”: (\S+) → (\S+)", line)
    assert found, line
    before, after = found.groups()
    preview.get_by_role("button", name="Confirm").click()
    modal = console.page.get_by_role("dialog", name="Confirm big change")
    expect(modal).to_contain_text("Type RAISE to send it to Amazon")
    modal.get_by_label("Confirmation word").fill("raise it")
    modal.get_by_role("button", name="Confirm", exact=True).click()
    expect(modal.get_by_role("alert")).to_contain_text("type RAISE to confirm it")
    expect(preview).to_contain_text(NOTHING_SENT)  # nothing sent: the preview is still there
    console.shot("11-edit-confirm-word.png")
    modal.get_by_label("Confirmation word").fill("RAISE")
    modal.get_by_role("button", name="Confirm", exact=True).click()
    expect(modal).to_be_hidden()
    outcome = console.message("1 changed")
    expect(outcome).to_contain_text(f"“{name}”: {before} → {after}")
    expect(outcome.get_by_role("button", name="Undo")).to_be_visible()
    console.shot("12-edit-outcome.png", top=outcome)
    return before, after


def _step_undo(console: Console, name: str, before: str, after: str) -> None:
    """Undo previews the way back; confirmed, the budget is what it was."""
    from playwright.sync_api import expect

    console.message("1 changed").get_by_role("button", name="Undo").click()
    back = console.message(NOTHING_SENT)
    expect(back).to_contain_text(f"“{name}”: {after} → {before}")
    back.get_by_role("button", name="Confirm").click()
    expect(console.message(f"{after} → {before}")).to_contain_text("1 changed")
    console.run(f'/hilal campaigns "{name}"')
    row = console.campaigns().locator(ROW, has_text=name)
    expect(row).to_contain_text("· SP · paused")  # the new list (the old one still says enabled)
    expect(row).to_contain_text(f"Budget {before}")


def _step_refused_after_disconnect(console: Console, name: str) -> None:
    from playwright.sync_api import expect

    console.run(f'/hilal pause "{name}"')  # refused before anything is read: the region is disconnected
    refusal = console.message("reconnect to edit")
    expect(refusal).to_contain_text("Live edits stop when a region is disconnected — reconnect to edit.")
    expect(refusal).to_contain_text("Reconnect Amazon Ads Far East with /hilal connect fe")
    expect(refusal).not_to_contain_text(NOTHING_SENT)


def test_live_edits_walk(hilal: LocalHilal, chromium: Any) -> None:
    from playwright.sync_api import expect

    runtime = hilal.runtime
    assert runtime is not None
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    console = Console(context.new_page())
    try:
        _connect_and_sync(console, runtime)
        name = _step_pause_from_row(console)
        before, after = _step_budget_past_the_guard(console, name)
        _step_undo(console, name, before, after)
        _step_disconnect(console)
        _step_refused_after_disconnect(console, name)
    finally:
        context.close()
        expect.set_options(timeout=DEFAULT_EXPECT_MS)
    assert not console.raw_markup, f"raw Slack markup shown to the user: {console.raw_markup}"
