"""The Slack console page as a person uses it (channels, the composer, messages, the app DM), for the
browser walks. Waiting is done by Playwright's auto-waiting assertions, never by sleeping."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.shots import screenshot_path

REGION_FILTER = 'select[data-action-id="campaigns.filter.region"]'
VIEWPORT = {"width": 1280, "height": 860}
# Slack markup or escapes a person should never see as text (Slack renders or unescapes them).
RAW_MARKUP = re.compile(r"<!date\^[^>]*>?|<[@#!][A-Z0-9^|]+[^>]*>|&(?:lt|gt|amp);")


class Console:
    """The Slack console page, as a person uses it: channels, the composer, messages, the app DM."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.raw_markup: list[str] = []

    def open_channel(self, name: str) -> None:
        from playwright.sync_api import expect

        self.page.locator("#channel-list").get_by_role("button", name=f"# {name}", exact=True).click()
        expect(self.page.locator("#main-title")).to_have_text(f"# {name}")

    def open_app_messages(self) -> None:
        from playwright.sync_api import expect

        self.page.locator("#app-entry").click()
        self.page.locator("#tab-messages").click()
        expect(self.page.locator("#tab-messages")).to_have_attribute("aria-selected", "true")

    def run(self, text: str) -> None:
        """Type a slash command in the composer and press Enter; waits for the console to echo it."""
        from playwright.sync_api import expect

        composer = self.page.locator("#composer-input")
        composer.fill(text)
        composer.press("Enter")
        expect(self.page.locator("#timeline .command-echo code", has_text=text).last).to_be_visible()

    def message(self, text: str | re.Pattern[str]) -> Any:
        """The latest message in the open timeline that contains ``text`` (a Playwright locator)."""
        return self.page.locator("#timeline article.msg", has_text=text).last

    def campaigns(self) -> Any:
        """The latest campaign list (the message with the Region filter)."""
        return self.page.locator(f"#timeline article.msg:has({REGION_FILTER})").last

    def shot(self, name: str, *, top: Any = None) -> None:
        """Screenshot the page (``top``: a message to scroll to the top first); note raw markup shown."""
        if top is not None:
            top.evaluate("node => node.scrollIntoView({block: 'start'})")
        self.page.screenshot(path=str(screenshot_path(name)))
        text = str(self.page.locator("#main").inner_text())
        self.raw_markup.extend(f"{name}: {hit!r}" for hit in RAW_MARKUP.findall(text))


def shoot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_path(name)))
