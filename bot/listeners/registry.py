"""Where features register their buttons, modals and events: every listener is answered, always.

Bolt's thread runner drops an `ack()` when the listener raises afterwards and then answers Slack 404
"unhandled request" three seconds later, so the user sees Slack's error on top of Hilal's message. Every
listener registered here is wrapped by `answered`: it is acknowledged (200 at once), and a raised error
becomes a message on the surface the user clicked (`report_error`), never an HTTP error; a form's user
error is shown inside the form, under its first input, and the form stays open.

    def register(listeners: Listeners) -> None:
        listeners.action(ActionId.REGION_SYNC_NOW)(handle_sync_now)
        listeners.action(ActionId.REGION_DISCONNECT, requires=may_manage())(handle_disconnect)

Listeners read services, ids and the unit of work from `context` (`bot.listeners.context`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from slack_bolt import Ack, App

from bot.listeners.context import end_unit_of_work
from bot.listeners.errors import modal_errors_for, report_error
from bot.listeners.permission import Requirement

__all__ = ["Listeners", "answered"]

F = TypeVar("F", bound=Callable[..., Any])
# What `answered` itself needs from Bolt, whatever the wrapped listener asks for.
_NEEDED = ("ack", "body", "client", "context", "respond")


def _acked(ack: Ack) -> bool:
    return ack.response is not None


def answered(listener: Callable[..., Any], *, requires: Requirement | None = None) -> Callable[..., None]:
    """`listener`, acknowledged and with every error turned into a message to the user.

    With `requires`, the requirement is checked first (after the ack, except for a form, whose refusal is
    shown in the form) and a refusal is answered instead of running the listener. The request's unit of
    work is ended here, in the listener's thread: committed when the listener returns, rolled back
    before the error is reported when it raises.

    Bolt injects arguments by name, so the wrapper advertises the listener's own parameters plus the
    ones it needs (without `__wrapped__`, which Bolt would follow).
    """
    wanted = list(inspect.signature(listener).parameters)
    names = list(dict.fromkeys([*wanted, *_NEEDED]))

    def run(**kwargs: Any) -> None:
        ack: Ack = kwargs["ack"]
        context = kwargs.get("context")
        try:
            if requires is not None:
                if kwargs["body"].get("type") != "view_submission" and not _acked(ack):
                    ack()  # the check may call Slack: answer Slack's 3-second wait first
                requires(context or {}, kwargs["client"])
            listener(**{name: kwargs[name] for name in wanted})
            end_unit_of_work(context)
        except Exception as error:  # every failure answers the user, and Slack gets its 200
            end_unit_of_work(context, error)
            in_modal = None if _acked(ack) else modal_errors_for(error, kwargs["body"])
            if in_modal is not None:  # a form's error is shown in the form, which stays open
                ack(response_action="errors", errors=in_modal)
                return
            if not _acked(ack):
                ack()
            report_error(error, body=kwargs["body"], client=kwargs["client"], respond=kwargs["respond"])
            return
        if not _acked(ack):
            ack()

    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    run.__name__ = getattr(listener, "__name__", "listener")
    run.__qualname__ = getattr(listener, "__qualname__", run.__name__)
    run.__doc__ = listener.__doc__
    run.__module__ = listener.__module__
    return run


class Listeners:
    """The registration surface features get instead of Bolt's `App`: the same verbs, every one answered."""

    def __init__(self, app: App) -> None:
        self._app = app
        self.registered: list[tuple[str, str]] = []

    def action(self, action_id: str | Enum, *, requires: Requirement | None = None) -> Callable[[F], F]:
        """Register a block action listener for `action_id` (run only if `requires` lets the user)."""
        return self._on("action", _name(action_id), requires=requires)

    def view(self, callback_id: str | Enum, *, requires: Requirement | None = None) -> Callable[[F], F]:
        """Register a view submission (or close) listener for `callback_id` (see `action`)."""
        return self._on("view", _name(callback_id), requires=requires)

    def options(self, action_id: str | Enum) -> Callable[[F], F]:
        """Register an external select's options listener for `action_id`."""
        return self._on("options", _name(action_id))

    def event(self, event_type: str) -> Callable[[F], F]:
        """Register an Events API listener for `event_type`."""
        return self._on("event", event_type)

    def _on(self, verb: str, key: str, *, requires: Requirement | None = None) -> Callable[[F], F]:
        def register(listener: F) -> F:
            getattr(self._app, verb)(key)(answered(listener, requires=requires))
            self.registered.append((verb, key))
            return listener

        return register


def _name(key: str | Enum) -> str:
    return str(key.value) if isinstance(key, Enum) else key
