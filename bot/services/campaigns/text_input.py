"""Checks on text that comes from Slack before it is stored or searched for.

Slack sends strings, but a signed request can still carry a number where a tag belongs, a NUL character
(PostgreSQL refuses NUL in text while SQLite stores it) or half of a UTF-16 surrogate pair (which no
driver can encode). Each is refused here with a message saying what is wrong, before anything is written,
so both databases give the same answer and nothing is half-saved.
"""

from __future__ import annotations

from bot.errors import UsageError

__all__ = ["describe_type", "require_text", "storable"]


def describe_type(value: object) -> str:
    """What a non-text JSON value is, in words: "a number", "true or false", "nothing", "a list"."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def storable(text: str) -> bool:
    """True when both SQLite and PostgreSQL store ``text`` as is (no NUL, valid Unicode)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require_text(value: object, *, what: str, hint: str | None = None) -> str:
    """``value`` when it is text that can be stored; a `UsageError` naming the problem otherwise.

    Args:
        value: What the payload or command carried.
        what: The plural noun for the message, e.g. "Notes", "Tags", "Campaign names".
        hint: An example of valid input, shown with the error.

    Returns:
        ``value``, unchanged.

    Raises:
        UsageError: ``value`` is not a string, contains NUL characters or is not valid Unicode.
    """
    if not isinstance(value, str):
        raise UsageError(f"{what} must be text, not {describe_type(value)}.", hint=hint)
    if "\x00" in value:
        raise UsageError(f"{what} can't contain NUL characters (\\0). Remove them and try again.", hint=hint)
    if not storable(value):
        raise UsageError(f"{what} can't contain broken Unicode characters.", hint=hint)
    return value
