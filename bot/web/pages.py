"""Small HTML pages for the browser side of the Amazon consent.

Every page says what happened in plain words and what to do next. Everything is HTML-escaped; request
parameters are never echoed (no `code`, no `state`, no `error` value from the query string); no token
ever appears. The only links a page may carry are built by Hilal itself: a fresh Connect link, and on the
"connected" page the way back to Hilal's Messages tab in Slack (`bot.services.connections.oauth.SlackLinks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from bot.amazon.regions import ALL_REGIONS, REGION_NAMES

__all__ = ["PAGES", "Page", "render_page"]


@dataclass(frozen=True)
class Page:
    """One result page: title, body (paragraphs split by blank lines; `code` spans), HTTP status.

    The body may use `{ads}` ("Amazon Ads Europe"), `{code}` (eu, or REGION when unknown) and `{again}`
    (how to try again: the Connect again button when the page has one, else the Slack command)."""

    title: str
    body: str
    status: int


_NOTHING = "Nothing was connected and nothing was stored."

PAGES: dict[str, Page] = {
    "connected": Page(
        "Connected — back to Slack",
        "Hilal is connected to {ads}. In Slack, open Hilal (under Apps in the sidebar), then its Messages "
        "tab: the marketplace picker is waiting there. Tick the marketplaces to sync and press Save.",
        200,
    ),
    "cancelled": Page(
        "Connection cancelled",
        f"You cancelled on Amazon's page. {_NOTHING}\n\n{{again}}",
        200,
    ),
    "amazon_failed": Page(
        "Amazon could not finish the sign-in",
        f"There was a problem on Amazon's side while you signed in. {_NOTHING} This is usually "
        "temporary.\n\n{again}",
        200,
    ),
    "amazon_busy": Page(
        "Amazon is busy right now",
        f"Amazon's sign-in was too busy to finish. {_NOTHING}\n\nWait a minute, then try again. {{again}}",
        200,
    ),
    "amazon_refused": Page(
        "Amazon refused the request",
        f"Amazon refused the request from Hilal. {_NOTHING} This usually means Hilal's Amazon app "
        "settings need attention: please tell your Hilal administrator.\n\n{again}",
        200,
    ),
    "amazon_error": Page(
        "Amazon did not complete the connection",
        f"Amazon did not complete the connection and did not say why. {_NOTHING}\n\n{{again}}",
        200,
    ),
    "no_code": Page(
        "Amazon's answer was incomplete",
        f"Amazon did not send the authorization Hilal needs to finish. {_NOTHING}\n\n{{again}}",
        400,
    ),
    "expired": Page(
        "This sign-in has expired",
        "The Amazon step has to be finished within 10 minutes of clicking Connect, or Amazon no longer "
        f"accepted it. {_NOTHING}\n\nClick Connect in Slack again (the button works for 24 hours), or "
        "run `/hilal connect {code}` in Slack for a fresh one.",
        400,
    ),
    "used": Page(
        "This link was already used",
        "This connection attempt has already finished. Run `/hilal regions` in Slack to see the result, "
        "or `/hilal connect {code}` to start again.",
        400,
    ),
    "invalid": Page(
        "This link is not valid",
        "The address is incomplete or was changed, so Hilal cannot tell which connection it belongs to. "
        f"{_NOTHING}\n\nRun `/hilal connect {{code}}` in Slack and use the Connect button from there.",
        400,
    ),
    "wrong_browser": Page(
        "Finish in the browser you started in",
        "This sign-in was started in a different browser, or a newer Connect link was opened in this "
        f"browser since. {_NOTHING}\n\nThe sign-in can still be finished in the browser where you clicked "
        "Connect. To start over here instead, run `/hilal connect {code}` in Slack and click Connect in "
        "this browser.",
        400,
    ),
    "not_allowed": Page(
        "Not allowed to connect",
        "Workspace admins and owners, and people on Hilal's admin list, can connect {ads}. You are not "
        f"(or no longer) one of them. {_NOTHING}\n\nAsk a workspace admin to connect it for you, or to add "
        "you with `/hilal admins add @you`; then click Connect again.",
        403,
    ),
    "slack_unavailable": Page(
        "Hilal could not reach Slack",
        "Hilal asks Slack whether you may connect Amazon Ads, and Slack did not answer. Nothing was "
        "stored.\n\nReload this page in a minute.",
        503,
    ),
    "failed": Page(
        "Something went wrong",
        "Hilal could not finish the connection with Amazon. Nothing was stored.\n\n{again} If it keeps "
        "failing, ask your Hilal administrator.",
        502,
    ),
}

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · Hilal</title>
<style>body{{font-family:system-ui,sans-serif;background:#f8f8fa;color:#1d1c1d;display:flex;justify-content:center;
padding-top:10vh}}main{{background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002;max-width:520px;
padding:32px 40px}}h1{{font-size:1.4rem}}p{{line-height:1.5}}code{{background:#f1f1f3;padding:1px 4px;
border-radius:4px}}a.button{{display:inline-block;background:#007a5a;color:#fff;padding:8px 16px;
border-radius:6px;text-decoration:none;font-weight:600}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>
"""

CONNECTED_WITH_LINK = (
    "Hilal is connected to {ads}. Open Hilal's Messages tab in Slack: the marketplace picker is waiting "
    "there. Tick the marketplaces to sync and press Save."
)
OPEN_IN_SLACK = "Open Hilal in Slack"
OPEN_IN_BROWSER = "or open Slack in your browser"
_CODE_SPAN = re.compile(r"`([^`<>]+)`")


def _paragraphs(text: str) -> str:
    """Escaped paragraphs; `code` spans become <code> (the span text is already escaped)."""
    parts = [
        _CODE_SPAN.sub(r"<code>\1</code>", escape(p.strip(), quote=False))
        for p in text.split("\n\n")
        if p.strip()
    ]
    return "".join(f"<p>{p}</p>" for p in parts)


def _slack_buttons(app_url: str | None, web_url: str | None) -> str:
    """The "Open Hilal in Slack" button (the app when known, else the web client) and a browser link."""
    main = app_url or web_url or ""
    html = f'<p><a class="button" href="{escape(main, quote=True)}">{escape(OPEN_IN_SLACK)}</a></p>'
    if app_url and web_url:
        html += f'<p><a href="{escape(web_url, quote=True)}">{escape(OPEN_IN_BROWSER)}</a></p>'
    return html


def render_page(
    kind: str,
    *,
    region: str = "",
    title: str | None = None,
    body: str | None = None,
    again_url: str | None = None,
    slack_url: str | None = None,
    slack_web_url: str | None = None,
) -> tuple[str, int]:
    """(HTML, status) of a result page.

    Args:
        kind: a key of `PAGES` (unknown kinds render "failed").
        region: a region code from our own ticket or state row (never from the query string), or "".
        title: replaces the page's title.
        body: replaces the page's body text (same markup: paragraphs, `code`).
        again_url: a fresh Connect link made by Hilal; shown as a "Connect again" button.
        slack_url: "connected" only: Hilal's Messages tab in the Slack app (an "Open Hilal in Slack" button).
        slack_web_url: "connected" only: the same in Slack's web client (the button, or a link below it).
    """
    page = PAGES.get(kind, PAGES["failed"])
    known = next((r for r in ALL_REGIONS if r == region), None)
    code = region if known else "REGION"
    ads = f"Amazon Ads {REGION_NAMES[known]}" if known else "Amazon Ads"
    again = (
        f"Use Connect again below, or run `/hilal connect {code}` in Slack."
        if again_url
        else f"Run `/hilal connect {code}` in Slack for a fresh Connect button."
    )
    linked = kind == "connected" and bool(slack_url or slack_web_url)
    template = CONNECTED_WITH_LINK if linked else page.body
    text = body if body is not None else template.format(ads=ads, code=code, again=again)
    html = _paragraphs(text)
    if again_url:
        html += f'<p><a class="button" href="{escape(again_url, quote=True)}">Connect again</a></p>'
    if linked:
        html += _slack_buttons(slack_url, slack_web_url)
    return _TEMPLATE.format(title=escape(title or page.title), body=html), page.status
