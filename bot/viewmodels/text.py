"""Text that is safe to send as Slack mrkdwn: the ``Mrkdwn`` type and the escaping helpers that make it.

Slack reads ``&``, ``<`` and ``>`` in mrkdwn (and in a message's plain ``text``) as markup, so
``<!channel>`` in a campaign name or a search would ping a channel. Anything a user or Amazon wrote is
escaped where it enters mrkdwn: renderers escape view-model strings (``bot.blocks.common.safe``), and
sentences built outside a renderer (a service's refusal or confirmation) use ``mrkdwn_format``. Markup
Hilal builds itself (a mention of an admin, a channel link) is a ``Mrkdwn`` value, which escaping leaves
alone; ``plain_text`` fields are never escaped, since Slack shows them as typed.

A value type like the view-models: stdlib only, so services and renderers share it (``bot.blocks.format``
re-exports it).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any

__all__ = [
    "Mrkdwn",
    "channel_mention",
    "escape_mrkdwn",
    "join_mrkdwn",
    "mrkdwn_format",
    "unescape_mrkdwn",
    "user_mention",
]

_ESCAPE_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ENTITIES = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}
_USER_ID = re.compile(r"^[UWB][A-Z0-9]{1,30}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,30}$")


class Mrkdwn(str):
    """Text that is already safe mrkdwn: Hilal's own markup, with everything users or Amazon wrote escaped.

    Made only by ``escape_mrkdwn``, ``mrkdwn_format``, ``join_mrkdwn``, ``user_mention`` and
    ``channel_mention``; never wrap text a user typed. Escaping passes it through unchanged, so the
    mentions and links in it stay live and nothing is escaped twice. Like any ``str`` subclass it decays
    to a plain ``str`` under ``+``, f-strings or ``str.join``; use ``mrkdwn_format`` / ``join_mrkdwn``.
    """

    __slots__ = ()


def escape_mrkdwn(text: str) -> Mrkdwn:
    """``text`` with ``&``, ``<`` and ``>`` escaped (a ``Mrkdwn`` value is returned as it is)."""
    if isinstance(text, Mrkdwn):
        return text
    return Mrkdwn(str(text).translate(_ESCAPE_TABLE))


def unescape_mrkdwn(text: str) -> str:
    """The plain text a reader sees for mrkdwn ``text`` (for ``plain_text`` surfaces such as modal errors).

    A ``Mrkdwn`` value has its ``&amp;``, ``&lt;`` and ``&gt;`` turned back; any other string is returned
    as it is (it was never escaped).
    """
    if not isinstance(text, Mrkdwn):
        return str(text)
    return _ENTITIES.sub(lambda m: _UNESCAPED[m.group(1)], str(text))


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        text = format(value, format_spec)
        return text if isinstance(value, Mrkdwn) else escape_mrkdwn(text)


_FORMATTER = _EscapingFormatter()


def mrkdwn_format(template: str, /, *args: object, **values: object) -> Mrkdwn:
    """``template.format(...)`` for mrkdwn: every value is escaped unless it is ``Mrkdwn`` already.

    Args:
        template: Hilal's own mrkdwn (trusted: never put user text in the template itself).
        *args: Positional values.
        **values: Named values; format specs apply before escaping (``{count:,}``).

    Returns:
        The formatted text, safe to send as mrkdwn.
    """
    return Mrkdwn(_FORMATTER.vformat(template, args, values))


def join_mrkdwn(separator: str, parts: Iterable[str]) -> Mrkdwn:
    """``separator.join(parts)`` with every part that is not ``Mrkdwn`` escaped."""
    return Mrkdwn(escape_mrkdwn(separator).join(escape_mrkdwn(part) for part in parts))


def user_mention(user_id: str) -> Mrkdwn:
    """``<@U123>`` for a Slack user id; anything that is not a user id is shown escaped instead."""
    if _USER_ID.fullmatch(user_id):
        return Mrkdwn(f"<@{user_id}>")
    return escape_mrkdwn(user_id[:80])


def channel_mention(channel_id: str) -> Mrkdwn:
    """``<#C123>`` for a Slack channel id; anything that is not a channel id is shown escaped instead."""
    if _CHANNEL_ID.fullmatch(channel_id):
        return Mrkdwn(f"<#{channel_id}>")
    return escape_mrkdwn(channel_id[:80])
