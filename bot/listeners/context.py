"""What every Slack request carries in Bolt's `context`, put there once by `request_context_middleware`.

Listeners read it through typed accessors instead of digging in the payload themselves:

    services = services_of(context)       # the composition root's `Services`
    ids = request_ids(context)            # team, user and enterprise ids, read once from any payload
    session = unit_of_work(context).session  # one transaction for the request's change

The unit of work is opened on first use and ended once, when the listener is done: committed if it
returned, rolled back if it raised (nothing half-written). It is ended by the code that runs the
listener (`registry.answered`, the `/hilal` dispatcher), not by the middleware after `next()`: Bolt's
thread runner returns from `next()` as soon as the listener acks, while the listener is still running.
On SQLite the transaction holds the write lock, so a listener that goes on to call Slack or to re-read
the change in other transactions (re-rendering a list) calls `commit()` first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from slack_bolt import BoltContext

from storage.db import session_scope

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "RequestIds",
    "UnitOfWork",
    "end_unit_of_work",
    "request_context_middleware",
    "request_ids",
    "services_of",
    "unit_of_work",
]

SERVICES = "services"
IDS = "hilal_request_ids"
UNIT = "hilal_unit_of_work"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _id_in(body: Mapping[str, Any], key: str) -> str:
    """``body[key]["id"]`` (interactions), ``body[key]`` as a string, or ``body[key + "_id"]`` (commands)."""
    nested = body.get(key)
    if isinstance(nested, Mapping):
        found = _text(nested.get("id"))
        if found:
            return found
    return _text(nested) or _text(body.get(f"{key}_id"))


def _inner(body: Mapping[str, Any], key: str, field: str) -> str:
    nested = body.get(key)
    return _text(nested.get(field)) if isinstance(nested, Mapping) else ""


@dataclass(frozen=True)
class RequestIds:
    """Who sent a request, and from which workspace ("" when the payload does not say)."""

    team_id: str
    user_id: str
    enterprise_id: str = ""

    @classmethod
    def read(cls, body: Mapping[str, Any], context: Mapping[str, Any]) -> RequestIds:
        """The ids of a command, block action, view submission, options request or event.

        The payload's own fields come first (``team.id`` / ``team_id`` / ``user.team_id``,
        ``user.id`` / ``user_id`` / ``event.user``, ``enterprise.id`` / ``enterprise_id``), then what
        Bolt found. Malformed values (not strings) count as missing; nothing here raises.
        """
        team = (
            _id_in(body, "team")
            or _inner(body, "user", "team_id")
            or _inner(body, "view", "team_id")
            or _text(context.get("team_id"))
        )
        user = _id_in(body, "user") or _inner(body, "event", "user") or _text(context.get("user_id"))
        enterprise = _id_in(body, "enterprise") or _text(context.get("enterprise_id"))
        return cls(team_id=team, user_id=user, enterprise_id=enterprise)


class UnitOfWork:
    """One request's transaction (`storage.db.session_scope`), opened on first use of `session`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._scope: AbstractContextManager[Session] | None = None
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session; the first use begins the transaction (a write transaction)."""
        if self._session is None:
            scope = session_scope(self._engine)
            self._session = scope.__enter__()
            self._scope = scope
        return self._session

    def commit(self) -> None:
        """Commit now, before calling Slack or re-reading the change elsewhere; a later use begins anew."""
        self.end()

    def end(self, error: BaseException | None = None) -> None:
        """Commit (no error) or roll back (`error`) what is open; nothing open, nothing to do."""
        scope, self._scope, self._session = self._scope, None, None
        if scope is None:
            return
        if error is None:
            scope.__exit__(None, None, None)
        else:
            scope.__exit__(type(error), error, error.__traceback__)


def services_of(context: Mapping[str, Any]) -> Services:
    """The `Services` the middleware put into `context`."""
    return cast("Services", context[SERVICES])


def request_ids(context: Mapping[str, Any]) -> RequestIds:
    """The request's team, user and enterprise ids (read once by the middleware)."""
    return cast(RequestIds, context[IDS])


def unit_of_work(context: Mapping[str, Any]) -> UnitOfWork:
    """The request's unit of work (see the module docstring for when it is committed)."""
    return cast(UnitOfWork, context[UNIT])


def end_unit_of_work(context: Mapping[str, Any] | None, error: BaseException | None = None) -> None:
    """End the request's unit of work, if the request has one: commit, or roll back after `error`."""
    unit = context.get(UNIT) if context is not None else None
    if isinstance(unit, UnitOfWork):
        unit.end(error)


def request_context_middleware(services: Services) -> Callable[..., Any]:
    """The global middleware that puts services, the ids and a (not yet opened) unit of work in `context`.

    Registered after Bolt's signature check, so what it reads has been verified.
    """

    def attach_request_context(body: Any, context: BoltContext, next: Callable[[], Any]) -> Any:
        context[SERVICES] = services
        context[IDS] = RequestIds.read(body if isinstance(body, Mapping) else {}, context)
        context[UNIT] = UnitOfWork(services.engine)
        return next()

    return attach_request_context
