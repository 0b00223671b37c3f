"""Small HTML pages for the browser side of the Amazon consent. Everything escaped; request parameters
are never echoed; no token ever appears."""

from __future__ import annotations

from html import escape

__all__ = ["PAGES", "render_page"]

PAGES: dict[str, tuple[str, str, int]] = {
    "connected": (
        "Connected — back to Slack",
        "Hilal is connected to Amazon Ads {region}. Head back to Slack: a message there lets you pick "
        "the marketplaces to sync.",
        200,
    ),
    "cancelled": (
        "Connection cancelled",
        "You cancelled on Amazon's page, so nothing was connected. To try again, run "
        "/hilal connect {code} in Slack.",
        200,
    ),
    "expired": (
        "This link has expired",
        "Connect links are single-use and expire after 10 minutes. Run /hilal connect {code} in Slack "
        "for a fresh button.",
        400,
    ),
    "used": (
        "This link was already used",
        "This connection attempt has already finished. Run /hilal regions in Slack to see the result, or "
        "/hilal connect {code} to start again.",
        400,
    ),
    "invalid": (
        "This link is not valid",
        "The link is incomplete or was opened in a different browser. Run /hilal connect REGION in Slack "
        "and use the Connect button from there.",
        400,
    ),
    "failed": (
        "Something went wrong",
        "Amazon did not complete the connection. Nothing was stored. Try again with /hilal connect {code} "
        "in Slack; if it keeps failing, ask your Hilal administrator.",
        502,
    ),
}

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Hilal</title>
<style>body{{font-family:system-ui,sans-serif;background:#f8f8fa;color:#1d1c1d;display:flex;justify-content:center;
padding-top:10vh}}main{{background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002;max-width:520px;
padding:32px 40px}}h1{{font-size:1.4rem}}p{{line-height:1.5}}</style></head>
<body><main><h1>{title}</h1><p>{body}</p></main></body></html>
"""

_REGIONS = {"na": "North America", "eu": "Europe", "fe": "Far East"}


def render_page(
    kind: str, *, region: str = "", title: str | None = None, body: str | None = None
) -> tuple[str, int]:
    """(HTML, status) of a result page; `region` is a known code from our own state row, or empty."""
    default_title, template, status = PAGES.get(kind, PAGES["failed"])
    code = region if region in _REGIONS else "REGION"
    text = body if body is not None else template.format(region=_REGIONS.get(region, ""), code=code)
    return _TEMPLATE.format(title=escape(title or default_title), body=escape(text)), status
