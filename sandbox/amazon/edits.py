"""The ledger of live edits (``PUT /sp/…``) and what it means for entities and their daily metrics.

A profile keeps, per edited entity, its changes in the order they were applied; each change holds the
simulator time it was applied and only the fields it set (``state``, ``budget``, ``defaultBid``,
``bid``). Invariants:

- the value of a field now is the one its latest change set, else the generated (seed) value;
- a change counts for whole days: it is in force from the calendar day it was applied on, in the
  profile's time zone (a pause at 10:00 means that day spends nothing), until a later change;
- a report generated at ``as_of`` only sees changes applied at or before ``as_of``, so a completed
  report's download never changes;
- entities that were never edited are generated exactly as before (their metrics do not move).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "AD_GROUP",
    "CAMPAIGN",
    "KEYWORD",
    "Change",
    "Ledger",
    "Timeline",
    "add_change",
    "fingerprint",
    "latest",
]

CAMPAIGN, AD_GROUP, KEYWORD = "campaign", "adGroup", "keyword"
Ledger = dict[tuple[str, int], list["Change"]]
"""(entity kind, index) → changes in the order they were applied."""


@dataclass(frozen=True)
class Change:
    """One applied edit of one entity: when (simulator time, UTC), the fields it set, and every field
    the entity's edits set up to and including this one, with its latest value (`in_force`)."""

    at: datetime
    values: Mapping[str, Any]
    in_force: Mapping[str, Any]

    def day(self, timezone: str) -> date:
        """The calendar day the change was applied on, in ``timezone``."""
        return self.at.astimezone(ZoneInfo(timezone)).date()


def add_change(ledger: Ledger, kind: str, index: int, at: datetime, values: Mapping[str, Any]) -> None:
    """Append an edit of one entity (the only way changes enter a ledger: it keeps `in_force`)."""
    changes = ledger.setdefault((kind, index), [])
    before = changes[-1].in_force if changes else {}
    changes.append(Change(at, dict(values), {**before, **values}))


def latest(ledger: Ledger, kind: str, index: int) -> Mapping[str, Any]:
    """Every field the edits of one entity set, with its latest value (empty when never edited); as
    cheap after a thousand edits as after one."""
    changes = ledger.get((kind, index))
    return changes[-1].in_force if changes else {}


def fingerprint(ledger: Ledger) -> str:
    """A short digest of the current edited values (for caches keyed on an account's shape)."""
    if not ledger:
        return ""
    current = sorted((kind, index, latest(ledger, kind, index)) for kind, index in ledger)
    return hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]


class Timeline:
    """The edits of one profile as seen by a report generated at ``as_of``, by day ordinal."""

    def __init__(self, ledger: Ledger, timezone: str, as_of: datetime) -> None:
        self._days: dict[tuple[str, int], list[tuple[int, Mapping[str, Any]]]] = {}
        for key, changes in ledger.items():
            seen = [(c.day(timezone).toordinal(), c.values) for c in changes if c.at <= as_of]
            if seen:
                self._days[key] = seen

    def __bool__(self) -> bool:
        return bool(self._days)

    def value(self, kind: str, index: int, name: str, ordinal: int) -> Any:
        """The value of ``name`` in force on day ``ordinal`` by the edits, or None when none applies."""
        found = None
        for day, values in self._days.get((kind, index), ()):
            if day > ordinal:
                break
            found = values.get(name, found)
        return found

    def serving(self, kind: str, index: int, ordinal: int) -> bool | None:
        """Whether an edited state lets the entity serve on that day; None when no state edit applies."""
        state = self.value(kind, index, "state", ordinal)
        return None if state is None else state == "ENABLED"


def to_json(ledger: Ledger) -> list[list[Any]]:
    """The ledger as JSON-ready rows ``[kind, index, at, values]``."""
    return [
        [kind, index, change.at.isoformat(), dict(change.values)]
        for (kind, index), changes in ledger.items()
        for change in changes
    ]


def from_json(rows: list[list[Any]]) -> Ledger:
    """The ledger back from `to_json` rows."""
    ledger: Ledger = {}
    for kind, index, at, values in rows:
        add_change(ledger, str(kind), int(index), datetime.fromisoformat(at), values)
    return ledger
