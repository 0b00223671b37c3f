"""Checks that text a user or Amazon wrote cannot turn into live Slack markup in what Hilal sends.

Slack parses mrkdwn text objects and a message's top-level ``text`` (and any other bare ``"text"``
string of a payload): there ``<!channel>``, ``<@U1>``, ``<#C1>`` and ``<url|label>`` are live, so every
``&``, ``<`` and ``>`` that came from data must arrive as ``&amp;``, ``&lt;`` and ``&gt;``. Slack does not
parse ``plain_text`` objects, so there the same characters must arrive as typed (an ``&lt;`` would show).

    assert_no_injected_markup(message, allowed=["<@UADMIN>"])   # the mentions Hilal built itself
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "HOSTILE",
    "HOSTILE_PARTS",
    "assert_no_injected_markup",
    "mrkdwn_texts",
    "plain_texts",
]

HOSTILE_PARTS = ("<!channel>", "<@U123>", "<#C999|ppc>", "<https://evil.example|click>", "a & b", "*bold*")
HOSTILE = " ".join(HOSTILE_PARTS)
_DATE_TOKEN = re.compile(r"<!date\^\d{1,12}\^[^|<>]{1,60}\|[^<>|]{1,60}>")
_BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
_DOUBLE_ESCAPE = re.compile(r"&amp;(?:amp|lt|gt);")
_ENTITY = re.compile(r"&(?:amp|lt|gt);")


def mrkdwn_texts(node: Any) -> list[str]:
    """Every string Slack reads as mrkdwn: mrkdwn text objects and bare ``"text"`` strings (message
    fallbacks, response_url bodies, ``chat.postEphemeral`` text)."""
    if isinstance(node, dict):
        own = []
        text = node.get("text")
        if isinstance(text, str) and node.get("type") != "plain_text":
            own.append(text)
        return own + [t for value in node.values() if not isinstance(value, str) for t in mrkdwn_texts(value)]
    if isinstance(node, list | tuple):
        return [t for item in node for t in mrkdwn_texts(item)]
    return []


def plain_texts(node: Any) -> list[str]:
    """Every ``plain_text`` object's string (labels, options, headers, buttons, modal titles)."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "plain_text" and isinstance(node.get("text"), str) else []
        return own + [t for value in node.values() if not isinstance(value, str) for t in plain_texts(value)]
    if isinstance(node, list | tuple):
        return [t for item in node for t in plain_texts(item)]
    return []


def _live_markup(text: str, allowed: set[str]) -> list[str]:
    rest = _DATE_TOKEN.sub("", text)
    for token in allowed:
        rest = rest.replace(token, "")
    problems = [f"unescaped {char!r}" for char in "<>" if char in rest]
    if _BARE_AMPERSAND.search(rest):
        problems.append("bare '&'")
    if _DOUBLE_ESCAPE.search(rest):
        problems.append("escaped twice")
    return problems


def assert_no_injected_markup(rendered: Any, *, allowed: Iterable[str] = ()) -> None:
    """No mention, channel link, broadcast or link in ``rendered`` except ``allowed`` and date tokens;
    no bare ``&`` and nothing escaped twice in mrkdwn; no entities in plain text.

    Args:
        rendered: A message, view, block list or recorded request body.
        allowed: Exact tokens Hilal itself put there (e.g. ``"<@UADMIN>"``, ``"<#C0PPC>"``).
    """
    tokens = set(allowed)
    found = []
    for text in mrkdwn_texts(rendered):
        found += [f"mrkdwn {problem}: {text!r}" for problem in _live_markup(text, tokens)]
    for text in plain_texts(rendered):
        if _ENTITY.search(text):
            found.append(f"plain_text holds an HTML entity (escaped for nothing): {text!r}")
    assert not found, "\n".join(found) + "\n" + json.dumps(rendered, ensure_ascii=False)[:4000]
