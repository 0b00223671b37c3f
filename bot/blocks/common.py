"""Small typed builders for Block Kit dicts, the ``Message``/``View`` types and text helpers.

Builders take already-escaped mrkdwn; anything a user or Amazon controls goes through ``escape_mrkdwn``
or ``safe`` first (a ``bot.blocks.format.Mrkdwn`` value is Hilal's own markup and passes unescaped).
Builders cut text to the per-field limits as a last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypedDict

from bot.blocks.format import Mrkdwn, escape_mrkdwn, user_mention
from bot.viewmodels import ALL_REGIONS, REGION_NAMES

__all__ = [
    "ELLIPSIS",
    "REGION_NAMES",
    "Block",
    "Message",
    "View",
    "actions",
    "button",
    "confirm_dialog",
    "context",
    "divider",
    "escape_mrkdwn",
    "fields",
    "header",
    "image",
    "input_block",
    "message",
    "mrkdwn",
    "multi_static_select",
    "option",
    "plain",
    "region_choices",
    "region_name",
    "safe",
    "section",
    "sections_from_lines",
    "static_select",
    "truncate",
    "user_mention",
]

Block = dict[str, Any]
View = dict[str, Any]


class Message(TypedDict):
    """A Slack message body: ``text`` is the notification and accessibility fallback."""

    text: str
    blocks: list[Block]


ELLIPSIS = "…"
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_TEXT_FALLBACK_MAX = 40_000
ButtonStyle = Literal["primary", "danger"]


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def _cut_markup(text: Mrkdwn, limit: int) -> Mrkdwn:
    """``text`` cut to ``limit`` characters (ending in "…") without splitting a ``<…>`` token or an entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    opened, ampersand = cut.rfind("<"), cut.rfind("&")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    if ampersand > cut.rfind(";"):
        cut = cut[:ampersand]
    return Mrkdwn(cut + ELLIPSIS)


def safe(text: str, limit: int) -> Mrkdwn:
    """Escape user text and cut it so that the ESCAPED result is at most ``limit`` characters.

    A ``Mrkdwn`` value is already escaped: it is only cut (never inside a mention or an entity).
    """
    if isinstance(text, Mrkdwn):
        return _cut_markup(text, limit)
    escaped = escape_mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    used = 0
    for char in text:
        piece = _ESCAPES.get(char, char)
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return Mrkdwn("".join(out) + ELLIPSIS)


def region_name(code: str, given: str = "") -> str:
    """The display name of a region code ("eu" → "Europe"), or ``given`` when set."""
    return given or next((REGION_NAMES[r] for r in ALL_REGIONS if r == code), code.upper())


def region_choices() -> tuple[tuple[str, str], ...]:
    """(code, "EU · Europe") pairs of every region in display order, for selects and checkboxes."""
    return tuple((r.value, f"{r.value.upper()} · {REGION_NAMES[r]}") for r in ALL_REGIONS)


def plain(text: str) -> dict[str, Any]:
    """A ``plain_text`` text object."""
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    """A ``mrkdwn`` text object (``text`` must already be escaped)."""
    return {"type": "mrkdwn", "text": text}


def header(text: str) -> Block:
    """A header block (plain text, cut to 150 characters)."""
    return {"type": "header", "text": plain(truncate(text, 150))}


def section(text: str, *, block_id: str | None = None, accessory: dict[str, Any] | None = None) -> Block:
    """A section with mrkdwn text (cut to 3000 characters) and an optional accessory element."""
    block: Block = {"type": "section", "text": mrkdwn(truncate(text, 3000))}
    if block_id:
        block["block_id"] = str(block_id)
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[str], *, text: str | None = None, block_id: str | None = None) -> Block:
    """A section of up to 10 mrkdwn fields (each cut to 2000 characters), with optional text above."""
    block: Block = {"type": "section", "fields": [mrkdwn(truncate(item, 2000)) for item in items[:10]]}
    if text:
        block["text"] = mrkdwn(truncate(text, 3000))
    if block_id:
        block["block_id"] = str(block_id)
    return block


def context(*texts: str, block_id: str | None = None) -> Block:
    """A context block of up to 10 mrkdwn elements."""
    block: Block = {"type": "context", "elements": [mrkdwn(truncate(t, 3000)) for t in texts[:10]]}
    if block_id:
        block["block_id"] = str(block_id)
    return block


def divider() -> Block:
    """A divider block."""
    return {"type": "divider"}


def image(url: str, alt_text: str) -> Block:
    """An image block."""
    return {"type": "image", "image_url": url, "alt_text": truncate(alt_text, 2000)}


def actions(elements: Sequence[dict[str, Any]], *, block_id: str | None = None) -> Block:
    """An actions block of up to 25 elements."""
    block: Block = {"type": "actions", "elements": list(elements[:25])}
    if block_id:
        block["block_id"] = str(block_id)
    return block


def confirm_dialog(
    title: str, text: str, *, confirm: str, deny: str = "Cancel", style: ButtonStyle | None = None
) -> dict[str, Any]:
    """A confirmation dialog object (title 100, text 300, buttons 30 characters)."""
    dialog: dict[str, Any] = {
        "title": plain(truncate(title, 100)),
        "text": plain(truncate(text, 300)),
        "confirm": plain(truncate(confirm, 30)),
        "deny": plain(truncate(deny, 30)),
    }
    if style:
        dialog["style"] = style
    return dialog


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    url: str | None = None,
    style: ButtonStyle | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button: a link button when ``url`` is set; ``style`` primary or danger; optional confirm dialog."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(truncate(text, 75)),
        "action_id": str(action_id),
    }
    if value is not None:
        element["value"] = value
    if url is not None:
        element["url"] = url
    if style is not None:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = confirm
    return element


def option(text: str, value: str, *, description: str | None = None) -> dict[str, Any]:
    """A select/checkbox option with plain text (75 characters) and a value (must be ≤ 150)."""
    opt: dict[str, Any] = {"text": plain(truncate(text, 75)), "value": value}
    if description:
        opt["description"] = plain(truncate(description, 75))
    return opt


def static_select(
    action_id: str,
    options: Sequence[dict[str, Any]],
    *,
    placeholder: str,
    initial: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A single ``static_select`` (at most 100 options)."""
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": str(action_id),
        "placeholder": plain(truncate(placeholder, 150)),
        "options": list(options),
    }
    if initial is not None:
        element["initial_option"] = initial
    return element


def multi_static_select(
    action_id: str,
    *,
    placeholder: str,
    options: Sequence[dict[str, Any]] | None = None,
    option_groups: Sequence[dict[str, Any]] | None = None,
    initial: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A ``multi_static_select`` with either ``options`` or ``option_groups`` (label, options)."""
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": str(action_id),
        "placeholder": plain(truncate(placeholder, 150)),
    }
    if option_groups is not None:
        element["option_groups"] = list(option_groups)
    else:
        element["options"] = list(options or ())
    if initial:
        element["initial_options"] = list(initial)
    return element


def input_block(
    label: str,
    element: dict[str, Any],
    *,
    block_id: str,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    """An input block (modals)."""
    block: Block = {
        "type": "input",
        "block_id": str(block_id),
        "label": plain(truncate(label, 2000)),
        "element": element,
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(truncate(hint, 2000))
    return block


def sections_from_lines(lines: Iterable[str], *, limit: int = 3000) -> list[Block]:
    """Pack mrkdwn lines into as few sections as possible, each at most ``limit`` characters."""
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, limit)
        extra = len(line) + (1 if current else 0)
        if current and size + extra > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def message(text: str, blocks: Sequence[Block]) -> Message:
    """A ``Message`` with a non-empty plain ``text`` fallback (cut to 40,000 characters)."""
    fallback = truncate(text.strip(), _TEXT_FALLBACK_MAX) or "Hilal"
    return {"text": fallback, "blocks": list(blocks)}
