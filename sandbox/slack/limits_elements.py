"""Element and composition-object rules for the Block Kit checker (reference/slack-platform.md §1.2-§1.3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACCESSORY_TYPES", "ACTIONS_TYPES", "INPUT_TYPES", "Problem", "Walker"]

_SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
    }
)
_MULTI_SELECTS = frozenset(f"multi_{s}" for s in _SELECTS)
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
_FILE_ID = re.compile(r"^F[A-Z0-9]{8,}$")
ACCESSORY_TYPES = frozenset(
    {"button", "checkboxes", "image", "overflow", "radio_buttons", "workflow_button"}
    | _SELECTS
    | _MULTI_SELECTS
    | _PICKERS
)
ACTIONS_TYPES = frozenset(
    {"button", "checkboxes", "overflow", "radio_buttons", "workflow_button"}
    | _SELECTS
    | _MULTI_SELECTS
    | _PICKERS
)
INPUT_TYPES = frozenset(
    {
        "checkboxes",
        "radio_buttons",
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
    }
    | _SELECTS
    | _MULTI_SELECTS
    | _PICKERS
)
TEXT_TYPES = ("plain_text", "mrkdwn")


@dataclass(frozen=True)
class Problem:
    """One violated rule: where (a JSON pointer) and what."""

    pointer: str
    message: str

    def render(self) -> str:
        """Render like Slack: ``[ERROR] <message> [json-pointer:<pointer>]``."""
        return f"[ERROR] {self.message} [json-pointer:{self.pointer}]"


@dataclass
class Walker:
    """Collects problems and counts text characters while blocks are walked."""

    problems: list[Problem] = field(default_factory=list)
    text_chars: int = 0

    def add(self, pointer: str, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(pointer, message))

    def count_text(self, text: str) -> None:
        """Add ``text`` to the message's total text budget."""
        self.text_chars += len(text)

    def max_len(self, value: str, limit: int, pointer: str) -> None:
        """Flag ``value`` longer than ``limit`` characters."""
        if len(value) > limit:
            self.add(pointer, f"must be less than {limit + 1} characters")

    def string(self, value: Any, pointer: str, *, limit: int) -> bool:
        """Check a string field; return whether it is a string."""
        if not isinstance(value, str):
            self.add(pointer, "must be a string")
            return False
        self.max_len(value, limit, pointer)
        return True

    def array(
        self,
        value: Any,
        pointer: str,
        *,
        limit: int,
        minimum: int = 0,
        required: bool = False,
        parent: str = "",
    ) -> bool:
        """Check an array field; return whether its items can be walked."""
        if value is None:
            if required:
                self.add(parent or pointer, f"missing required field: {pointer.rsplit('/', 1)[-1]}")
            return False
        if not isinstance(value, list):
            self.add(pointer, "must be an array")
            return False
        if len(value) > limit:
            self.add(pointer, f"no more than {limit} items allowed")
        if len(value) < minimum:
            self.add(pointer, f"must provide at least {minimum} items")
        return True

    def text_obj(
        self,
        obj: Any,
        pointer: str,
        *,
        limit: int,
        plain_only: bool = False,
        field_name: str = "",
        parent: str = "",
    ) -> None:
        """Check a text composition object (``{"type": "plain_text"|"mrkdwn", "text": ...}``)."""
        if obj is None:
            self.add(parent or pointer, f"missing required field: {field_name or pointer.rsplit('/', 1)[-1]}")
            return
        if not isinstance(obj, dict):
            self.add(pointer, "must be an object")
            return
        kind = obj.get("type")
        if kind not in (("plain_text",) if plain_only else TEXT_TYPES):
            self.add(f"{pointer}/type", "must be a valid enum value")
        text = obj.get("text")
        if not isinstance(text, str):
            self.add(pointer, "missing required field: text")
            return
        self.count_text(text)
        if text == "":
            self.add(f"{pointer}/text", "must be more than 0 characters")
        self.max_len(text, limit, f"{pointer}/text")

    def image(self, obj: dict[str, Any], pointer: str) -> None:
        """Check an image block or image element."""
        if obj.get("image_url") is None and obj.get("slack_file") is None:
            self.add(pointer, "missing required field: image_url")
        elif obj.get("image_url") is not None:
            self.string(obj.get("image_url"), f"{pointer}/image_url", limit=3000)
        if obj.get("slack_file") is not None:
            self.slack_file(obj.get("slack_file"), f"{pointer}/slack_file")
        if obj.get("alt_text") is None:
            self.add(pointer, "missing required field: alt_text")
        else:
            self.string(obj.get("alt_text"), f"{pointer}/alt_text", limit=2000)

    def slack_file(self, obj: Any, pointer: str) -> None:
        """A ``slack_file`` object: exactly one of ``id`` (``F`` and 8+ capitals or digits) and ``url``."""
        if not isinstance(obj, dict) or ("id" in obj) == ("url" in obj):
            self.add(pointer, "must provide exactly one of `id` or `url`")
        elif "id" in obj and not (isinstance(obj["id"], str) and _FILE_ID.match(obj["id"])):
            self.add(f"{pointer}/id", "input must match regex pattern: ^[F][A-Z0-9]{8,}$")
        elif "url" in obj:
            self.string(obj["url"], f"{pointer}/url", limit=3000)

    def element(self, obj: Any, pointer: str, *, allowed: frozenset[str], action_ids: set[str]) -> None:
        """Check an interactive element; ``action_ids`` collects ids to find duplicates in one block."""
        if not isinstance(obj, dict) or obj.get("type") not in allowed:
            self.add(pointer, "failed to match all allowed schemas")
            return
        action_id = obj.get("action_id")
        if action_id is not None and self.string(action_id, f"{pointer}/action_id", limit=255):
            if action_id in action_ids:
                self.add(f"{pointer}/action_id", f"duplicate action_id: {action_id!r}")
            action_ids.add(action_id)
        kind = str(obj["type"])
        if obj.get("placeholder") is not None:
            self.text_obj(obj.get("placeholder"), f"{pointer}/placeholder", limit=150, plain_only=True)
        if obj.get("confirm") is not None:
            self.confirm(obj.get("confirm"), f"{pointer}/confirm")
        check = ELEMENTS.get(kind)
        if check is not None:
            check(self, obj, pointer)

    def confirm(self, obj: Any, pointer: str) -> None:
        """Check a confirmation dialog object."""
        if not isinstance(obj, dict):
            self.add(pointer, "must be an object")
            return
        for name, limit, plain in (
            ("title", 100, True),
            ("text", 300, False),
            ("confirm", 30, True),
            ("deny", 30, True),
        ):
            self.text_obj(
                obj.get(name),
                f"{pointer}/{name}",
                limit=limit,
                plain_only=plain,
                field_name=name,
                parent=pointer,
            )

    def option(self, obj: Any, pointer: str, *, plain_only: bool) -> None:
        """Check an option object: text ≤ 75, value ≤ 150, description ≤ 75."""
        if not isinstance(obj, dict):
            self.add(pointer, "must be an object")
            return
        self.text_obj(
            obj.get("text"),
            f"{pointer}/text",
            limit=75,
            plain_only=plain_only,
            field_name="text",
            parent=pointer,
        )
        if obj.get("value") is not None:
            self.string(obj.get("value"), f"{pointer}/value", limit=150)
        if obj.get("description") is not None:
            self.text_obj(obj.get("description"), f"{pointer}/description", limit=75, plain_only=plain_only)
        if obj.get("url") is not None:
            self.string(obj.get("url"), f"{pointer}/url", limit=3000)

    def options(
        self, obj: dict[str, Any], pointer: str, *, limit: int, minimum: int, plain_only: bool
    ) -> list[Any]:
        """Check ``options`` of an element; return them (empty when unusable)."""
        options = obj.get("options")
        if not self.array(
            options, f"{pointer}/options", limit=limit, minimum=minimum, required=True, parent=pointer
        ):
            return []
        for i, option in enumerate(options or []):
            self.option(option, f"{pointer}/options/{i}", plain_only=plain_only)
        return list(options or [])

    def initial(self, obj: dict[str, Any], pointer: str, options: list[Any]) -> None:
        """``initial_option`` / ``initial_options`` must exactly match entries of ``options``."""
        keys = {_option_key(o) for o in options if isinstance(o, dict)}
        if obj.get("initial_option") is not None and _option_key(obj["initial_option"]) not in keys:
            self.add(f"{pointer}/initial_option", "must match one of the provided options")
        initial = obj.get("initial_options")
        if initial is None:
            return
        if not isinstance(initial, list):
            self.add(f"{pointer}/initial_options", "must be an array")
            return
        for i, option in enumerate(initial):
            if _option_key(option) not in keys:
                self.add(f"{pointer}/initial_options/{i}", "must match one of the provided options")


def _option_key(option: Any) -> tuple[str, str]:
    if not isinstance(option, dict):
        return ("", "")
    text = option.get("text")
    label = text.get("text", "") if isinstance(text, dict) else ""
    return (str(option.get("value", "")), str(label))


def _button(w: Walker, obj: dict[str, Any], at: str) -> None:
    w.text_obj(obj.get("text"), f"{at}/text", limit=75, plain_only=True, field_name="text", parent=at)
    for name, limit in (("url", 3000), ("value", 2000), ("accessibility_label", 75)):
        if obj.get(name) is not None:
            w.string(obj.get(name), f"{at}/{name}", limit=limit)
    if obj.get("style") is not None and obj.get("style") not in ("primary", "danger"):
        w.add(f"{at}/style", "must be a valid enum value")


def _choice(w: Walker, obj: dict[str, Any], at: str) -> None:
    options = w.options(obj, at, limit=10, minimum=1, plain_only=False)
    w.initial(obj, at, options)


def _overflow(w: Walker, obj: dict[str, Any], at: str) -> None:
    w.options(obj, at, limit=5, minimum=1, plain_only=True)


def _static_select(w: Walker, obj: dict[str, Any], at: str) -> None:
    has_options, has_groups = obj.get("options") is not None, obj.get("option_groups") is not None
    if has_options and has_groups:
        w.add(at, "must provide either `options` or `option_groups`, not both")
        return
    if not has_groups:
        options = w.options(obj, at, limit=100, minimum=1, plain_only=True)
    else:
        options = _option_groups(w, obj.get("option_groups"), f"{at}/option_groups")
    w.initial(obj, at, options)
    _max_selected(w, obj, at)


def _option_groups(w: Walker, groups: Any, at: str) -> list[Any]:
    if not w.array(groups, at, limit=100, minimum=1):
        return []
    options: list[Any] = []
    for i, group in enumerate(groups):
        where = f"{at}/{i}"
        if not isinstance(group, dict):
            w.add(where, "must be an object")
            continue
        w.text_obj(
            group.get("label"), f"{where}/label", limit=75, plain_only=True, field_name="label", parent=where
        )
        options.extend(w.options(group, where, limit=100, minimum=1, plain_only=True))
    return options


def _max_selected(w: Walker, obj: dict[str, Any], at: str) -> None:
    value = obj.get("max_selected_items")
    if value is not None and (not isinstance(value, int) or value < 1):
        w.add(f"{at}/max_selected_items", "must be greater than or equal to 1")


def _external_select(w: Walker, obj: dict[str, Any], at: str) -> None:
    if obj.get("initial_option") is not None:
        w.option(obj["initial_option"], f"{at}/initial_option", plain_only=True)
    for i, option in enumerate(obj.get("initial_options") or []):
        w.option(option, f"{at}/initial_options/{i}", plain_only=True)
    _max_selected(w, obj, at)


def _text_input(w: Walker, obj: dict[str, Any], at: str) -> None:
    for name in ("min_length", "max_length"):
        value = obj.get(name)
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
            w.add(f"{at}/{name}", "must be between 0 and 3000")
    if obj.get("initial_value") is not None:
        w.string(obj.get("initial_value"), f"{at}/initial_value", limit=int(obj.get("max_length") or 3000))


def _image_element(w: Walker, obj: dict[str, Any], at: str) -> None:
    w.image(obj, at)


ELEMENTS: dict[str, Callable[[Walker, dict[str, Any], str], None]] = {
    "button": _button,
    "checkboxes": _choice,
    "radio_buttons": _choice,
    "overflow": _overflow,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "external_select": _external_select,
    "multi_external_select": _external_select,
    "plain_text_input": _text_input,
    "image": _image_element,
}
