"""Interactive elements on a surface (message or view): finding them, and their ``state.values``.

Slack keeps the current value of every stateful element (inputs, selects, checkboxes, pickers) per
surface and per user, and sends it as ``state.values`` with block actions and view submissions.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

__all__ = [
    "all_options",
    "carry_over",
    "find_element",
    "initial_values",
    "iter_elements",
    "option_for",
    "state_value",
]

JsonDict = dict[str, Any]

_TEXT_VALUE = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_MULTI_OPTIONS = frozenset({"checkboxes", "multi_static_select", "multi_external_select"})
_ONE_OPTION = frozenset({"static_select", "external_select", "radio_buttons"})
# element type -> (state key, initial key)
_PICKED: dict[str, tuple[str, str]] = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
STATEFUL = _TEXT_VALUE | _MULTI_OPTIONS | _ONE_OPTION | frozenset(_PICKED) | {"rich_text_input"}


def iter_elements(blocks: list[JsonDict]) -> Iterator[tuple[JsonDict, JsonDict]]:
    """Yield ``(block, element)`` for every element carrying an ``action_id``-able control."""
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        candidates: list[Any] = []
        if block.get("type") == "actions":
            candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if block.get(key) is not None:
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("type") != "image":
                yield block, element


def find_element(
    blocks: list[JsonDict], action_id: str, block_id: str | None = None
) -> tuple[JsonDict, JsonDict] | None:
    """The ``(block, element)`` with ``action_id`` (and ``block_id`` when given)."""
    for block, element in iter_elements(blocks):
        if element.get("action_id") == action_id and (block_id is None or block.get("block_id") == block_id):
            return block, element
    return None


def all_options(element: JsonDict) -> list[JsonDict]:
    """Every option of an element, flattening ``option_groups``."""
    options = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            options.extend(o for o in group.get("options") or [] if isinstance(o, dict))
    return options


def option_for(element: JsonDict, raw: Any) -> JsonDict:
    """Resolve ``raw`` (an option dict or its value) to the element's option.

    External selects have no options list; their option is synthesised from the value.
    """
    if isinstance(raw, dict):
        return copy.deepcopy(raw)
    value = str(raw)
    for option in all_options(element):
        if str(option.get("value")) == value:
            return copy.deepcopy(option)
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": value}, "value": value}
    raise LookupError(f"{element.get('action_id')!r} has no option with value {value!r}")


def state_value(element: JsonDict, raw: Any) -> JsonDict:
    """Convert a simple value (text, option value(s), user id …) to Slack's ``state.values`` shape."""
    kind = str(element.get("type"))
    if isinstance(raw, dict) and raw.get("type") == kind:
        return copy.deepcopy(raw)
    if kind in _TEXT_VALUE:
        return {"type": kind, "value": None if raw is None else str(raw)}
    if kind in _MULTI_OPTIONS:
        values = [] if raw is None else (raw if isinstance(raw, list) else [raw])
        return {"type": kind, "selected_options": [option_for(element, v) for v in values]}
    if kind in _ONE_OPTION:
        return {"type": kind, "selected_option": None if raw in (None, "") else option_for(element, raw)}
    if kind in _PICKED:
        return {"type": kind, _PICKED[kind][0]: raw}
    if kind == "rich_text_input":
        text = "" if raw is None else str(raw)
        section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
        return {"type": kind, "rich_text_value": {"type": "rich_text", "elements": [section]}}
    raise LookupError(f"{element.get('action_id')!r} ({kind}) keeps no state")


def _initial(element: JsonDict) -> JsonDict:
    kind = str(element.get("type"))
    if kind in _TEXT_VALUE:
        return {"type": kind, "value": element.get("initial_value")}
    if kind in _MULTI_OPTIONS:
        return {"type": kind, "selected_options": copy.deepcopy(element.get("initial_options") or [])}
    if kind in _ONE_OPTION:
        return {"type": kind, "selected_option": copy.deepcopy(element.get("initial_option"))}
    if kind in _PICKED:
        state_key, initial_key = _PICKED[kind]
        default: Any = [] if kind.startswith("multi_") else None
        return {"type": kind, state_key: copy.deepcopy(element.get(initial_key, default))}
    return state_value(element, element.get("initial_value"))


def initial_values(blocks: list[JsonDict]) -> dict[str, dict[str, JsonDict]]:
    """``state.values`` of freshly rendered blocks (their ``initial_*`` fields)."""
    values: dict[str, dict[str, JsonDict]] = {}
    for block, element in iter_elements(blocks):
        if element.get("type") in STATEFUL and block.get("block_id") and element.get("action_id"):
            values.setdefault(str(block["block_id"]), {})[str(element["action_id"])] = _initial(element)
    return values


def carry_over(old: dict[str, dict[str, JsonDict]], blocks: list[JsonDict]) -> dict[str, dict[str, JsonDict]]:
    """State after an update: values survive where block_id, action_id and type are unchanged."""
    values = initial_values(blocks)
    for block_id, actions in values.items():
        for action_id, value in actions.items():
            previous = old.get(block_id, {}).get(action_id)
            if previous is not None and previous.get("type") == value.get("type"):
                actions[action_id] = previous
    return values
