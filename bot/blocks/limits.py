"""Slack Block Kit limits (reference/slack-platform.md §1) and a checker for rendered messages and views.

``check_message`` / ``check_view`` return human-readable problems, each prefixed with a JSON pointer,
and cover the rules slack_sdk does not check (§1.8): 50 blocks per message, checkboxes ≤ 10 options,
``initial_options`` ⊆ ``options``, total text per message (Hilal's 10,000-character budget, §1.5),
block_id uniqueness, the text fallback (§1.7), multi-selects in actions blocks of views and
``initial_options`` from several option groups without a per-render block_id (§1.4). They also re-check
the per-field limits slack_sdk knows, so the Slack stand-in can use them alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

__all__ = [
    "MAX_ACCESSIBILITY_LABEL",
    "MAX_ACTIONS_ELEMENTS",
    "MAX_ACTION_ID",
    "MAX_BLOCKS_MESSAGE",
    "MAX_BLOCKS_VIEW",
    "MAX_BLOCK_ID",
    "MAX_BUTTON_TEXT",
    "MAX_BUTTON_URL",
    "MAX_BUTTON_VALUE",
    "MAX_CALLBACK_ID",
    "MAX_CHECKBOX_OPTIONS",
    "MAX_CONTEXT_ELEMENTS",
    "MAX_FALLBACK_TEXT",
    "MAX_FIELD_TEXT",
    "MAX_HEADER_TEXT",
    "MAX_MESSAGE_TEXT_BUDGET",
    "MAX_OPTION_GROUPS",
    "MAX_OPTION_TEXT",
    "MAX_OPTION_VALUE",
    "MAX_OVERFLOW_OPTIONS",
    "MAX_PLACEHOLDER",
    "MAX_PRIVATE_METADATA",
    "MAX_SECTION_FIELDS",
    "MAX_SECTION_TEXT",
    "MAX_SELECT_OPTIONS",
    "MAX_VIEW_BYTES",
    "MAX_VIEW_TITLE",
    "BlockKitLimitError",
    "assert_valid_message",
    "assert_valid_view",
    "check_blocks",
    "check_message",
    "check_view",
    "total_text_length",
]

# §1.1 surfaces
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_VIEW_TITLE = 24  # title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_VIEW_BYTES = 250_000
# §1.2 blocks
MAX_BLOCK_ID = 255
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_IMAGE_URL = 3000
MAX_ALT_TEXT = 2000
MAX_MARKDOWN_BLOCK_TEXT = 12_000
MAX_TEXT_OBJECT = 3000
# §1.3 elements and composition objects
MAX_ACTION_ID = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_URL = 3000
MAX_BUTTON_VALUE = 2000
MAX_ACCESSIBILITY_LABEL = 75
MAX_PLACEHOLDER = 150
MAX_CHECKBOX_OPTIONS = 10  # also radio_buttons
MAX_SELECT_OPTIONS = 100
MAX_OPTION_GROUPS = 100
MAX_OPTION_GROUP_LABEL = 75
MAX_OVERFLOW_OPTIONS = 5
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTION_DESCRIPTION = 75
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_TEXT_INPUT_LENGTH = 3000
# §1.5 and §1.7 message text
MAX_MESSAGE_TEXT_BUDGET = 10_000  # Hilal's own budget for all text inside a message's blocks
MAX_FALLBACK_TEXT = 40_000

Surface = Literal["message", "modal", "home"]
_BLOCK_TYPES = {
    "section",
    "header",
    "context",
    "divider",
    "actions",
    "input",
    "image",
    "markdown",
    "rich_text",
}
_SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}
_CHOICE_ELEMENTS = {"checkboxes", "radio_buttons"}


class BlockKitLimitError(ValueError):
    """A rendered message or view breaks a Slack limit; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class _Checker:
    """Walks blocks and collects problems with JSON pointers."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.problems: list[str] = []
        self._block_ids: set[str] = set()
        self._blocks: dict[str, Callable[[Mapping[str, Any], str], None]] = {
            "section": self._section,
            "header": self._header,
            "context": self._context,
            "actions": self._actions,
            "input": self._input,
            "image": self._image,
            "markdown": self._markdown,
        }

    def problem(self, path: str, text: str) -> None:
        self.problems.append(f"{path}: {text}")

    def length(self, path: str, value: object, limit: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return
        if not isinstance(value, str):
            self.problem(path, "must be a string")
        elif len(value) > limit:
            self.problem(path, f"must be at most {limit} characters (got {len(value)})")

    def text_obj(self, path: str, obj: object, limit: int, *, plain_only: bool = False) -> None:
        if not isinstance(obj, Mapping):
            self.problem(path, "must be a text object")
            return
        if obj.get("type") not in ("plain_text", "mrkdwn"):
            self.problem(f"{path}/type", "must be plain_text or mrkdwn")
        elif plain_only and obj.get("type") != "plain_text":
            self.problem(f"{path}/type", "must be plain_text")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.problem(f"{path}/text", "must be a non-empty string")
        else:
            self.length(f"{path}/text", text, limit)

    def blocks(self, blocks: object, path: str) -> None:
        if not isinstance(blocks, list):
            self.problem(path, "must be a list of blocks")
            return
        for index, block in enumerate(blocks):
            self.block(block, f"{path}/{index}")

    def block(self, block: object, path: str) -> None:
        if not isinstance(block, Mapping):
            self.problem(path, "must be an object")
            return
        kind = block.get("type")
        if kind not in _BLOCK_TYPES:
            self.problem(f"{path}/type", f"unknown block type {kind!r}")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.length(f"{path}/block_id", block_id, MAX_BLOCK_ID)
            if isinstance(block_id, str) and block_id in self._block_ids:
                self.problem(f"{path}/block_id", f"duplicate block_id {block_id!r}")
            self._block_ids.add(str(block_id))
        check = self._blocks.get(str(kind))
        if check is not None:
            check(block, path)

    def _section(self, block: Mapping[str, Any], path: str) -> None:
        if "text" not in block and "fields" not in block:
            self.problem(path, "a section must define either text or fields")
        if "text" in block:
            self.text_obj(f"{path}/text", block["text"], MAX_SECTION_TEXT)
        if "fields" in block:
            items = block["fields"]
            if not isinstance(items, list) or not 1 <= len(items) <= MAX_SECTION_FIELDS:
                self.problem(f"{path}/fields", f"must hold 1 to {MAX_SECTION_FIELDS} fields")
            else:
                for index, item in enumerate(items):
                    self.text_obj(f"{path}/fields/{index}", item, MAX_FIELD_TEXT)
        if "accessory" in block:
            self.element(block["accessory"], f"{path}/accessory", parent=block)

    def _header(self, block: Mapping[str, Any], path: str) -> None:
        self.text_obj(f"{path}/text", block.get("text"), MAX_HEADER_TEXT, plain_only=True)

    def _context(self, block: Mapping[str, Any], path: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            self.problem(f"{path}/elements", f"must hold 1 to {MAX_CONTEXT_ELEMENTS} elements")
            return
        for index, element in enumerate(elements):
            sub = f"{path}/elements/{index}"
            if isinstance(element, Mapping) and element.get("type") == "image":
                self._image_fields(element, sub)
            else:
                self.text_obj(sub, element, MAX_TEXT_OBJECT)

    def _actions(self, block: Mapping[str, Any], path: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
            self.problem(f"{path}/elements", f"must hold 1 to {MAX_ACTIONS_ELEMENTS} elements")
            return
        seen: set[str] = set()
        for index, element in enumerate(elements):
            sub = f"{path}/elements/{index}"
            self.element(element, sub, parent=block)
            action_id = element.get("action_id") if isinstance(element, Mapping) else None
            if action_id is not None and action_id in seen:
                self.problem(f"{sub}/action_id", f"duplicate action_id {action_id!r} in one block")
            if action_id is not None:
                seen.add(str(action_id))
            is_multi = isinstance(element, Mapping) and str(element.get("type", "")).startswith("multi_")
            if self.surface != "message" and is_multi:
                self.problem(sub, "multi-selects in an actions block fail in modals and Home (§1.4)")

    def _input(self, block: Mapping[str, Any], path: str) -> None:
        self.text_obj(f"{path}/label", block.get("label"), MAX_INPUT_LABEL, plain_only=True)
        if "hint" in block:
            self.text_obj(f"{path}/hint", block["hint"], MAX_INPUT_HINT, plain_only=True)
        if "element" not in block:
            self.problem(f"{path}/element", "is required")
        else:
            self.element(block["element"], f"{path}/element", parent=block)

    def _image(self, block: Mapping[str, Any], path: str) -> None:
        self._image_fields(block, path)
        if "title" in block:
            self.text_obj(f"{path}/title", block["title"], MAX_ALT_TEXT, plain_only=True)

    def _image_fields(self, obj: Mapping[str, Any], path: str) -> None:
        if "slack_file" not in obj:
            self.length(f"{path}/image_url", obj.get("image_url"), MAX_IMAGE_URL, required=True)
        self.length(f"{path}/alt_text", obj.get("alt_text"), MAX_ALT_TEXT, required=True)

    def _markdown(self, block: Mapping[str, Any], path: str) -> None:
        self.length(f"{path}/text", block.get("text"), MAX_MARKDOWN_BLOCK_TEXT, required=True)

    def element(self, element: object, path: str, *, parent: Mapping[str, Any]) -> None:
        if not isinstance(element, Mapping):
            self.problem(path, "must be an element object")
            return
        kind = element.get("type")
        if not isinstance(kind, str):
            self.problem(f"{path}/type", "is required")
            return
        if "action_id" in element:
            self.length(f"{path}/action_id", element["action_id"], MAX_ACTION_ID)
        if "placeholder" in element:
            self.text_obj(f"{path}/placeholder", element["placeholder"], MAX_PLACEHOLDER, plain_only=True)
        if "confirm" in element:
            self.confirm(element["confirm"], f"{path}/confirm")
        if kind == "button":
            self.button(element, path)
        elif kind in _SELECTS_WITH_OPTIONS:
            self.select(element, path, parent=parent)
        elif kind in _CHOICE_ELEMENTS:
            self.choices(element, path)
        elif kind == "overflow":
            self.overflow(element, path)
        elif kind == "plain_text_input":
            self.text_input(element, path)
        elif kind == "image":
            self._image_fields(element, path)

    def button(self, element: Mapping[str, Any], path: str) -> None:
        self.text_obj(f"{path}/text", element.get("text"), MAX_BUTTON_TEXT, plain_only=True)
        self.length(f"{path}/url", element.get("url"), MAX_BUTTON_URL)
        self.length(f"{path}/value", element.get("value"), MAX_BUTTON_VALUE)
        self.length(
            f"{path}/accessibility_label", element.get("accessibility_label"), MAX_ACCESSIBILITY_LABEL
        )
        if element.get("style") not in (None, "primary", "danger"):
            self.problem(f"{path}/style", "must be primary or danger")

    def confirm(self, dialog: object, path: str) -> None:
        if not isinstance(dialog, Mapping):
            self.problem(path, "must be a confirmation dialog object")
            return
        self.text_obj(f"{path}/title", dialog.get("title"), MAX_CONFIRM_TITLE, plain_only=True)
        self.text_obj(f"{path}/text", dialog.get("text"), MAX_CONFIRM_TEXT)
        self.text_obj(f"{path}/confirm", dialog.get("confirm"), MAX_CONFIRM_BUTTON, plain_only=True)
        self.text_obj(f"{path}/deny", dialog.get("deny"), MAX_CONFIRM_BUTTON, plain_only=True)

    def option(self, opt: object, path: str, *, plain_only: bool = True) -> None:
        if not isinstance(opt, Mapping):
            self.problem(path, "must be an option object")
            return
        self.text_obj(f"{path}/text", opt.get("text"), MAX_OPTION_TEXT, plain_only=plain_only)
        self.length(f"{path}/value", opt.get("value"), MAX_OPTION_VALUE, required=True)
        if "description" in opt:
            self.text_obj(f"{path}/description", opt["description"], MAX_OPTION_DESCRIPTION)

    def options(self, opts: object, path: str, *, low: int, high: int, plain_only: bool = True) -> list[Any]:
        if not isinstance(opts, list) or not low <= len(opts) <= high:
            count = len(opts) if isinstance(opts, list) else "no"
            self.problem(path, f"must hold {low} to {high} options (got {count})")
            return opts if isinstance(opts, list) else []
        for index, opt in enumerate(opts):
            self.option(opt, f"{path}/{index}", plain_only=plain_only)
        return opts

    def initial_subset(self, element: Mapping[str, Any], path: str, allowed: list[Any]) -> None:
        initial = list(element.get("initial_options") or [])
        if "initial_option" in element:
            initial.append(element["initial_option"])
        for index, opt in enumerate(initial):
            if opt not in allowed:
                self.problem(f"{path}/initial_options/{index}", "does not match any entry of options")

    def select(self, element: Mapping[str, Any], path: str, *, parent: Mapping[str, Any]) -> None:
        has_options, has_groups = "options" in element, "option_groups" in element
        if has_options == has_groups:
            self.problem(path, "a static select needs exactly one of options and option_groups")
            return
        if has_options:
            allowed = self.options(element["options"], f"{path}/options", low=1, high=MAX_SELECT_OPTIONS)
            self.initial_subset(element, path, allowed)
        else:
            self.groups(element, path, parent=parent)
        max_items = element.get("max_selected_items")
        if max_items is not None and (not isinstance(max_items, int) or max_items < 1):
            self.problem(f"{path}/max_selected_items", "must be at least 1")

    def groups(self, element: Mapping[str, Any], path: str, *, parent: Mapping[str, Any]) -> None:
        groups = element["option_groups"]
        if not isinstance(groups, list) or not 1 <= len(groups) <= MAX_OPTION_GROUPS:
            self.problem(f"{path}/option_groups", f"must hold 1 to {MAX_OPTION_GROUPS} groups")
            return
        allowed: list[Any] = []
        group_of: list[int] = []
        for index, group in enumerate(groups):
            sub = f"{path}/option_groups/{index}"
            if not isinstance(group, Mapping):
                self.problem(sub, "must be an option group object")
                continue
            self.text_obj(f"{sub}/label", group.get("label"), MAX_OPTION_GROUP_LABEL, plain_only=True)
            opts = self.options(group.get("options"), f"{sub}/options", low=1, high=MAX_SELECT_OPTIONS)
            allowed.extend(opts)
            group_of.extend([index] * len(opts))
        self.initial_subset(element, path, allowed)
        initial = element.get("initial_options") or []
        spanned = {group_of[allowed.index(opt)] for opt in initial if opt in allowed}
        if len(spanned) > 1 and "#" not in str(parent.get("block_id", "")):
            self.problem(
                f"{path}/initial_options",
                "initial_options from several option_groups need a per-render block_id suffix (§1.4)",
            )

    def choices(self, element: Mapping[str, Any], path: str) -> None:
        allowed = self.options(
            element.get("options"), f"{path}/options", low=1, high=MAX_CHECKBOX_OPTIONS, plain_only=False
        )
        self.initial_subset(element, path, allowed)

    def overflow(self, element: Mapping[str, Any], path: str) -> None:
        self.options(element.get("options"), f"{path}/options", low=1, high=MAX_OVERFLOW_OPTIONS)

    def text_input(self, element: Mapping[str, Any], path: str) -> None:
        low, high = element.get("min_length", 0), element.get("max_length", MAX_TEXT_INPUT_LENGTH)
        if not isinstance(high, int) or not 1 <= high <= MAX_TEXT_INPUT_LENGTH:
            self.problem(f"{path}/max_length", f"must be 1 to {MAX_TEXT_INPUT_LENGTH}")
            return
        if not isinstance(low, int) or not 0 <= low <= high:
            self.problem(f"{path}/min_length", "must be between 0 and max_length")
        self.length(f"{path}/initial_value", element.get("initial_value"), high)


_TEXT_TYPES = frozenset(("plain_text", "mrkdwn", "markdown"))


def total_text_length(node: object) -> int:
    """Characters in every text object (and markdown block) inside ``node``: Hilal's size measure (§1.5)."""
    total, pending = 0, [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            text = item.get("text")
            if isinstance(text, str) and item.get("type") in _TEXT_TYPES:
                total += len(text)
            for value in item.values():
                if isinstance(value, (dict, list)):
                    pending.append(value)
        elif isinstance(item, list):
            pending.extend(item)
    return total


def check_blocks(blocks: object, *, surface: Surface = "message", path: str = "/blocks") -> list[str]:
    """Problems in a list of blocks (per-block rules only, no surface totals).

    Args:
        blocks: The blocks.
        surface: "message", "modal" or "home" (some rules differ per surface).
        path: JSON pointer prefix for the problems.

    Returns:
        The problems; empty when the blocks are valid.
    """
    checker = _Checker(surface)
    checker.blocks(blocks, path)
    return checker.problems


def check_message(msg: Mapping[str, Any]) -> list[str]:
    """Problems in a message body (``text`` + ``blocks``); empty when Slack will accept it.

    Args:
        msg: The message dict.

    Returns:
        The problems, each "json-pointer: what is wrong".
    """
    problems: list[str] = []
    text = msg.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append("/text: a plain text fallback is required (mobile notifications use only text)")
    elif len(text) > MAX_FALLBACK_TEXT:
        problems.append(f"/text: must be at most {MAX_FALLBACK_TEXT} characters (got {len(text)})")
    blocks = msg.get("blocks", [])
    if isinstance(blocks, list) and len(blocks) > MAX_BLOCKS_MESSAGE:
        problems.append(f"/blocks: no more than {MAX_BLOCKS_MESSAGE} blocks allowed (got {len(blocks)})")
    problems.extend(check_blocks(blocks, surface="message"))
    total = total_text_length(blocks)
    if total > MAX_MESSAGE_TEXT_BUDGET:
        problems.append(f"/blocks: total text {total} exceeds the {MAX_MESSAGE_TEXT_BUDGET}-character budget")
    return problems


def check_view(view: Mapping[str, Any]) -> list[str]:
    """Problems in a modal or Home view; empty when Slack will accept it.

    Args:
        view: The view dict (``type`` "modal" or "home").

    Returns:
        The problems, each "json-pointer: what is wrong".
    """
    checker = _Checker("home" if view.get("type") == "home" else "modal")
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.problem("/type", "must be modal or home")
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS_VIEW or (kind == "modal" and not blocks):
        checker.problem("/blocks", f"must hold 1 to {MAX_BLOCKS_VIEW} blocks")
    checker.blocks(blocks if isinstance(blocks, list) else [], "/blocks")
    if kind == "modal":
        checker.text_obj("/title", view.get("title"), MAX_VIEW_TITLE, plain_only=True)
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            checker.problem("/submit", "is required when the modal has input blocks")
    for key in ("submit", "close"):
        if key in view:
            checker.text_obj(f"/{key}", view[key], MAX_VIEW_TITLE, plain_only=True)
    checker.length("/callback_id", view.get("callback_id"), MAX_CALLBACK_ID)
    checker.length("/private_metadata", view.get("private_metadata"), MAX_PRIVATE_METADATA)
    size = len(json.dumps(view, ensure_ascii=False).encode())
    if size > MAX_VIEW_BYTES:
        checker.problem("", f"view payload is {size} bytes, more than {MAX_VIEW_BYTES}")
    return checker.problems


def assert_valid_message(msg: Mapping[str, Any]) -> None:
    """Raise ``BlockKitLimitError`` listing every problem ``check_message`` finds."""
    problems = check_message(msg)
    if problems:
        raise BlockKitLimitError(problems)


def assert_valid_view(view: Mapping[str, Any]) -> None:
    """Raise ``BlockKitLimitError`` listing every problem ``check_view`` finds."""
    problems = check_view(view)
    if problems:
        raise BlockKitLimitError(problems)
