"""Block Kit checks the way Slack applies them, written from reference/slack-platform.md §1.

``check_message`` and ``check_view`` return a ``Verdict``: the error code Slack would answer
(``invalid_blocks``, ``msg_blocks_too_long``, ``no_text``, ``invalid_arguments``, ``view_too_large`` …)
and the problems, each rendered like Slack's ``[ERROR] … [json-pointer:/blocks/0/text/text]``.
Element-level rules live in ``limits_elements.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.slack.limits_elements import ACCESSORY_TYPES, ACTIONS_TYPES, INPUT_TYPES, Problem, Walker

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_MESSAGE_BLOCK_TEXT",
    "MAX_VIEW_BLOCKS",
    "Problem",
    "Verdict",
    "check_blocks",
    "check_message",
    "check_view",
]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_BLOCK_TEXT = 12_000  # undocumented; reference §1.5
MAX_TEXT = 40_000
MAX_ATTACHMENTS = 100
MAX_VIEW_BYTES = 250_000
VIEW_TEXT_LIMITS = {"title": 24, "submit": 24, "close": 24}


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``error`` is None when Slack would accept the payload."""

    error: str | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether Slack would accept the payload."""
        return self.error is None

    @property
    def messages(self) -> list[str]:
        """Problems rendered the way Slack renders them."""
        return [p.render() for p in self.problems]

    def to_api(self) -> dict[str, Any]:
        """The failing API answer (``ok: false``) for this verdict."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.problems:
            body["errors"] = self.messages
            body["response_metadata"] = {"messages": self.messages}
        return body


def _block_section(w: Walker, block: dict[str, Any], at: str) -> None:
    text, block_fields = block.get("text"), block.get("fields")
    if text is None and block_fields is None:
        w.add(f"{at}/type", "must define either `text` or `fields`")
    if text is not None:
        w.text_obj(text, f"{at}/text", limit=3000)
    if block_fields is not None and w.array(block_fields, f"{at}/fields", limit=10, minimum=1):
        for i, item in enumerate(block_fields):
            w.text_obj(item, f"{at}/fields/{i}", limit=2000)
    accessory = block.get("accessory")
    if accessory is not None:
        w.element(accessory, f"{at}/accessory", allowed=ACCESSORY_TYPES, action_ids=set())


def _block_header(w: Walker, block: dict[str, Any], at: str) -> None:
    w.text_obj(block.get("text"), f"{at}/text", limit=150, plain_only=True, field_name="text", parent=at)


def _block_context(w: Walker, block: dict[str, Any], at: str) -> None:
    elements = block.get("elements")
    if not w.array(elements, f"{at}/elements", limit=10, minimum=1, required=True, parent=at):
        return
    for i, element in enumerate(elements or []):
        where = f"{at}/elements/{i}"
        if isinstance(element, dict) and element.get("type") == "image":
            w.image(element, where)
        else:
            w.text_obj(element, where, limit=3000)


def _block_actions(w: Walker, block: dict[str, Any], at: str) -> None:
    elements = block.get("elements")
    if not w.array(elements, f"{at}/elements", limit=25, minimum=1, required=True, parent=at):
        return
    action_ids: set[str] = set()
    for i, element in enumerate(elements or []):
        w.element(element, f"{at}/elements/{i}", allowed=ACTIONS_TYPES, action_ids=action_ids)


def _block_input(w: Walker, block: dict[str, Any], at: str) -> None:
    w.text_obj(block.get("label"), f"{at}/label", limit=2000, plain_only=True, field_name="label", parent=at)
    if block.get("hint") is not None:
        w.text_obj(block.get("hint"), f"{at}/hint", limit=2000, plain_only=True)
    element = block.get("element")
    if element is None:
        w.add(at, "missing required field: element")
    else:
        w.element(element, f"{at}/element", allowed=INPUT_TYPES, action_ids=set())


def _block_image(w: Walker, block: dict[str, Any], at: str) -> None:
    w.image(block, at)
    if block.get("title") is not None:
        w.text_obj(block.get("title"), f"{at}/title", limit=2000, plain_only=True)


def _block_markdown(w: Walker, block: dict[str, Any], at: str) -> None:
    text = block.get("text")
    if not isinstance(text, str):
        w.add(at, "missing required field: text")
        return
    w.count_text(text)
    w.max_len(text, 12_000, f"{at}/text")


def _block_rich_text(w: Walker, block: dict[str, Any], at: str) -> None:
    elements = block.get("elements")
    if w.array(elements, f"{at}/elements", limit=10_000, minimum=1, required=True, parent=at):
        w.count_text(json.dumps(elements))


def _block_noop(w: Walker, block: dict[str, Any], at: str) -> None:
    del w, block, at


BLOCKS: dict[str, Callable[[Walker, dict[str, Any], str], None]] = {
    "section": _block_section,
    "header": _block_header,
    "context": _block_context,
    "divider": _block_noop,
    "actions": _block_actions,
    "input": _block_input,
    "image": _block_image,
    "markdown": _block_markdown,
    "rich_text": _block_rich_text,
    "file": _block_noop,
    "video": _block_noop,
}


def check_blocks(
    blocks: Any, *, prefix: str = "", limit: int = MAX_MESSAGE_BLOCKS
) -> tuple[list[Problem], int]:
    """Check a blocks array; return the problems and the total characters of text found.

    Args:
        blocks: the ``blocks`` value as received.
        prefix: json-pointer prefix (``/view`` for views).
        limit: maximum number of blocks (50 for messages, 100 for modals and Home).
    """
    w = Walker()
    where = f"{prefix}/blocks"
    if not isinstance(blocks, list):
        w.add(where, "must be an array")
        return w.problems, 0
    if len(blocks) > limit:
        w.add(where, f"no more than {limit} items allowed")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}/{i}"
        if not isinstance(block, dict) or block.get("type") not in BLOCKS:
            w.add(at, "failed to match all allowed schemas")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            w.string(block_id, f"{at}/block_id", limit=255)
            if block_id in block_ids:
                w.add(f"{at}/block_id", f"duplicate block_id: {block_id!r}")
            block_ids.add(str(block_id))
        BLOCKS[str(block["type"])](w, block, at)
    return w.problems, w.text_chars


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return _UNPARSABLE
    return value


_UNPARSABLE = object()


def check_message(*, text: Any, blocks: Any = None, attachments: Any = None) -> Verdict:
    """Check a chat.postMessage / chat.update / response_url payload.

    Args:
        text: the top-level ``text`` (the notification and accessibility fallback).
        blocks: the ``blocks`` array (a list, or a JSON string from a form body).
        attachments: legacy attachments (a list or JSON string).
    """
    blocks, attachments = _decode(blocks), _decode(attachments)
    if blocks is _UNPARSABLE or (blocks is not None and not isinstance(blocks, list)):
        return Verdict("invalid_blocks_format")
    if attachments is _UNPARSABLE:
        return Verdict("invalid_attachments")
    has_text = isinstance(text, str) and text.strip() != ""
    if not has_text and not blocks and not attachments:
        return Verdict("no_text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return Verdict("msg_too_long")
    if isinstance(attachments, list) and len(attachments) > MAX_ATTACHMENTS:
        return Verdict("too_many_attachments")
    warnings = () if has_text or not blocks else ("missing_text_fallback",)
    if not blocks:
        return Verdict(None, warnings=warnings)
    problems, chars = check_blocks(blocks)
    if problems:
        return Verdict("invalid_blocks", tuple(problems), warnings)
    if chars > MAX_MESSAGE_BLOCK_TEXT:
        return Verdict("msg_blocks_too_long", warnings=warnings)
    return Verdict(None, warnings=warnings)


def _check_view_fields(w: Walker, view: dict[str, Any], kind: str) -> None:
    if kind == "modal":
        w.text_obj(
            view.get("title"), "/view/title", limit=24, plain_only=True, field_name="title", parent="/view"
        )
    for name, limit in VIEW_TEXT_LIMITS.items():
        if (name != "title" or kind != "modal") and view.get(name) is not None:
            w.text_obj(view.get(name), f"/view/{name}", limit=limit, plain_only=True)
    for name, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        if view.get(name) is not None:
            w.string(view.get(name), f"/view/{name}", limit=limit)
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == "modal" and has_input and view.get("submit") is None:
        w.add("/view", "must provide `submit` when the view contains input blocks")


def check_view(view: Any, *, allowed_types: tuple[str, ...] = ("modal", "home")) -> Verdict:
    """Check a view for views.open / push / update / publish; failures answer ``invalid_arguments``.

    Args:
        view: the ``view`` value (a dict, or a JSON string from a form body).
        allowed_types: view types the calling method accepts.
    """
    view = _decode(view)
    if view is _UNPARSABLE or not isinstance(view, dict):
        return Verdict("invalid_arguments", (Problem("/view", "must be an object"),))
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        return Verdict("view_too_large")
    kind = view.get("type")
    if kind not in allowed_types:
        return Verdict("invalid_arguments", (Problem("/view/type", "must be a valid enum value"),))
    w = Walker()
    _check_view_fields(w, view, str(kind))
    problems, _ = check_blocks(view.get("blocks", []), prefix="/view", limit=MAX_VIEW_BLOCKS)
    all_problems = tuple(w.problems + problems)
    return Verdict("invalid_arguments" if all_problems else None, all_problems)
