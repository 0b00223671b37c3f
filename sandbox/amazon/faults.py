"""Faults injected on demand, per route and optionally per profile (reference §8.3).

Route names: ``token``, ``revoke``, ``consent``, ``profiles``, ``sp/campaigns/list``,
``sp/adGroups/list``, ``sp/keywords/list``, ``sp/campaigns``, ``sp/adGroups``, ``sp/keywords`` (the
``PUT`` writes), ``sp/campaigns/budget/usage``, ``sb/campaigns/budget/usage``,
``sd/campaigns/budget/usage``, ``sb/v4/campaigns/list``, ``sb/v4/adGroups/list``,
``sd/campaigns``, ``sd/adGroups``, ``reports.create``, ``reports.get``, ``reports.delete``,
``download``, or ``*`` for any of them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["KINDS", "Fault", "Faults"]

KINDS: frozenset[str] = frozenset(
    {
        "429",
        "429-no-retry-after",
        "500",
        "502",
        "503",
        "504",
        "401",
        "timeout",
        "drop",
        "accepted-429",
        "timeout-after-apply",
    }
)


@dataclass
class Fault:
    """One armed fault; ``times=None`` means it never runs out."""

    route: str
    kind: str
    profile_id: int | None
    times: int | None
    retry_after: int | None
    delay: float | None
    after: int = 0


class Faults:
    """The armed faults of one simulator. Thread-safe."""

    def __init__(self, *, retry_after: int, timeout_delay: float) -> None:
        self._items: list[Fault] = []
        self._lock = threading.Lock()
        self._retry_after = retry_after
        self._timeout_delay = timeout_delay

    def add(
        self,
        route: str = "*",
        *,
        kind: str,
        profile_id: int | str | None = None,
        times: int | None = 1,
        retry_after: int | None = None,
        delay: float | None = None,
        after: int = 0,
    ) -> None:
        """Arm a fault.

        Args:
            route: route name (see the module docstring) or ``*``.
            kind: ``429``, ``429-no-retry-after``, ``500``, ``502``, ``503``, ``504``, ``401``,
                ``timeout`` (stall ``delay`` seconds, then answer normally), ``drop`` (close the
                connection without answering), ``accepted-429`` (do the work, answer 429) or
                ``timeout-after-apply`` (do the work, then close the connection without answering:
                what a client sees when its read times out after a write was applied).
            profile_id: only requests whose Scope header is this profile.
            times: how many requests it hits; None for every request until cleared.
            retry_after: ``Retry-After`` seconds for ``429`` (default from the config).
            delay: stall of ``timeout`` in seconds (default ``SimConfig.fault_timeout_seconds``).
            after: how many matching requests go through untouched before it hits (e.g. the second
                call of a batched write).

        Raises:
            ValueError: unknown kind.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        fault = Fault(
            route=route,
            kind=kind,
            profile_id=int(profile_id) if profile_id is not None else None,
            times=times,
            retry_after=self._retry_after if retry_after is None else retry_after,
            delay=self._timeout_delay if delay is None else delay,
            after=after,
        )
        with self._lock:
            self._items.append(fault)

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._items.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults still armed."""
        with self._lock:
            return list(self._items)

    def take(self, route: str, profile_id: int | None) -> Fault | None:
        """Consume and return the first fault matching this request, if any."""
        with self._lock:
            for fault in self._items:
                if fault.route not in ("*", route):
                    continue
                if fault.profile_id is not None and fault.profile_id != profile_id:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._items.remove(fault)
                return fault
        return None
