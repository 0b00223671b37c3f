"""Filtering and ``nextToken`` paging for the v3/v4 ``…/list`` endpoints (reference §3.1, §3.2).

Entities live in a three-level tree (campaign → ad group → keyword) whose children are contiguous index
ranges, so id filters become index ranges and a page resumes right after the last index it served.
``totalResults`` is counted once per (profile, kind, filter) and cached.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.amazon.edits import fingerprint
from sandbox.amazon.entities import ProfileSpec, decode_id

__all__ = ["IdFilter", "ListError", "ListKind", "Tree", "list_page"]

STATES = frozenset({"ENABLED", "PAUSED", "ARCHIVED", "ENABLING", "USER_DELETED", "OTHER"})


class ListError(Exception):
    """A 400 ``INVALID_ARGUMENT`` with its message."""


@dataclass(frozen=True)
class Tree:
    """Sizes of the entity tree of a profile: campaigns, ad groups per campaign, keywords per ad group."""

    campaigns: int
    per_campaign: int
    per_ad_group: int

    def count(self, level: int) -> int:
        """Number of entities at ``level`` (0 campaigns, 1 ad groups, 2 keywords)."""
        sizes = (
            self.campaigns,
            self.campaigns * self.per_campaign,
            self.campaigns * self.per_campaign * self.per_ad_group,
        )
        return sizes[level]

    def span(self, parent_level: int, level: int) -> int:
        """How many ``level`` entities sit under one ``parent_level`` entity."""
        width = 1
        if parent_level < 1 <= level:
            width *= self.per_campaign
        if parent_level < 2 <= level:
            width *= self.per_ad_group
        return width


@dataclass(frozen=True)
class IdFilter:
    """A body filter ``{"include": [ids]}`` on the ids of ``level``, with its cap."""

    field: str
    level: int
    cap: int


@dataclass(frozen=True)
class ListKind:
    """One list endpoint."""

    route: str
    media_type: str
    key: str
    level: int
    tree: Callable[[ProfileSpec], Tree]
    bases: tuple[int, int, int]
    build: Callable[[ProfileSpec, int, bool], dict[str, Any]]
    state: Callable[[ProfileSpec, int], str]
    id_filters: tuple[IdFilter, ...]
    text_filter: tuple[str, str] | None = None  # (body field, entity field)
    extra: Callable[[dict[str, Any], dict[str, Any]], bool] | None = None  # (body, item) -> keep


_counts: OrderedDict[tuple[Any, ...], int] = OrderedDict()
_counts_lock = threading.Lock()


def _include(body: dict[str, Any], name: str, cap: int) -> list[Any] | None:
    value = body.get(name)
    if value is None:
        return None
    include = value.get("include") if isinstance(value, dict) else None
    if not isinstance(include, list):
        raise ListError(f"{name}.include must be an array")
    if len(include) > cap:
        raise ListError(f"{name}.include size must be between 0 and {cap}")
    return include


def _parse(kind: ListKind, spec: ProfileSpec, body: dict[str, Any]) -> dict[str, Any]:
    tree = kind.tree(spec)
    parsed: dict[str, Any] = {"ids": {}}
    states = _include(body, "stateFilter", 10)
    if states is not None:
        bad = [s for s in states if s not in STATES]
        if bad:
            raise ListError(f"stateFilter contains invalid values: {bad}")
        parsed["states"] = frozenset(states)
    for f in kind.id_filters:
        ids = _include(body, f.field, f.cap)
        if ids is not None:
            found = (decode_id(kind.bases[f.level], spec, v, tree.count(f.level)) for v in ids)
            parsed["ids"][f.level] = sorted({i for i in found if i is not None})
    if kind.text_filter is not None and body.get(kind.text_filter[0]) is not None:
        text = body[kind.text_filter[0]]
        match = text.get("queryTermMatchType", "BROAD_MATCH") if isinstance(text, dict) else None
        if match not in ("BROAD_MATCH", "EXACT_MATCH"):
            raise ListError(f"{kind.text_filter[0]}.queryTermMatchType must be BROAD_MATCH or EXACT_MATCH")
        parsed["text"] = (match, [str(t).lower() for t in _include(body, kind.text_filter[0], 100) or []])
    return parsed


def _ranges(kind: ListKind, tree: Tree, parsed: dict[str, Any]) -> Iterator[range]:
    ids: dict[int, list[int]] = parsed["ids"]
    for level in sorted(ids, reverse=True):  # the most specific filter drives the scan
        width = tree.span(level, kind.level)
        for index in ids[level]:
            yield range(index * width, (index + 1) * width)
        return
    yield range(tree.count(kind.level))


_EXTRA_FIELDS = ("matchTypeFilter", "portfolioIdFilter", "campaignTargetingTypeFilter")


def _cheap(kind: ListKind, spec: ProfileSpec, tree: Tree, parsed: dict[str, Any], idx: int) -> bool:
    """State and id filters, which need no entity to be built."""
    states = parsed.get("states")
    if states is not None and kind.state(spec, idx) not in states:
        return False
    return all(idx // tree.span(level, kind.level) in wanted for level, wanted in parsed["ids"].items())


def _keep(
    kind: ListKind,
    spec: ProfileSpec,
    tree: Tree,
    parsed: dict[str, Any],
    body: dict[str, Any],
    idx: int,
) -> dict[str, Any] | None:
    if not _cheap(kind, spec, tree, parsed, idx):
        return None
    item = kind.build(spec, idx, bool(body.get("includeExtendedDataFields")))
    if "text" in parsed and kind.text_filter is not None:
        match, terms = parsed["text"]
        value = str(item.get(kind.text_filter[1], "")).lower()
        if terms and not any((t == value) if match == "EXACT_MATCH" else (t in value) for t in terms):
            return None
    if kind.extra is not None and not kind.extra(body, item):  # noqa: S610 - not Django
        return None
    return item


def _scan(
    kind: ListKind, spec: ProfileSpec, parsed: dict[str, Any], body: dict[str, Any], after: int
) -> Iterator[dict[str, Any]]:
    tree = kind.tree(spec)
    for r in _ranges(kind, tree, parsed):
        for idx in range(max(r.start, after + 1), r.stop):
            item = _keep(kind, spec, tree, parsed, body, idx)
            if item is not None:
                item["_idx"] = idx
                yield item


def _digest(body: dict[str, Any]) -> str:
    core = {k: v for k, v in body.items() if k not in ("nextToken", "maxResults")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]


def _total(
    kind: ListKind, spec: ProfileSpec, parsed: dict[str, Any], body: dict[str, Any], digest: str
) -> int:
    # Everything that shapes the generated account is in the key: profile ids repeat across simulators
    # built with the same seed (tests start many in one process), and overrides can change at run time.
    shape = (
        spec.user_id,
        spec.seed,
        spec.campaigns,
        spec.ad_groups_per_campaign,
        spec.keywords_per_ad_group,
        spec.active_keyword_share,
        json.dumps(spec.overrides, sort_keys=True, default=str),
        fingerprint(spec.edits),  # live edits change states, so state-filtered counts
    )
    key = (spec.profile_id, kind.route, digest, shape)
    with _counts_lock:
        if key in _counts:
            return _counts[key]
    tree = kind.tree(spec)
    if "text" in parsed or any(body.get(f) is not None for f in _EXTRA_FIELDS):
        total = sum(1 for _ in _scan(kind, spec, parsed, body, -1))
    elif "states" not in parsed and not parsed["ids"]:
        total = tree.count(kind.level)
    else:
        total = sum(
            1 for r in _ranges(kind, tree, parsed) for idx in r if _cheap(kind, spec, tree, parsed, idx)
        )
    with _counts_lock:
        _counts[key] = total
        while len(_counts) > 512:
            _counts.popitem(last=False)
    return total


def _token(after: int, served: int, digest: str) -> str:
    raw = json.dumps({"a": after, "n": served, "d": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _untoken(value: Any, digest: str) -> tuple[int, int]:
    try:
        text = str(value)
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if data["d"] != digest:
            raise ValueError("filters changed")
        return int(data["a"]), int(data["n"])
    except (ValueError, KeyError, TypeError):
        raise ListError("Invalid nextToken") from None


def list_page(kind: ListKind, spec: ProfileSpec, body: dict[str, Any], *, max_page: int) -> dict[str, Any]:
    """One page of ``kind`` for ``body``: ``{"totalResults", <key>: [...], "nextToken"?}``.

    Raises:
        ListError: invalid filters, ``maxResults`` or ``nextToken``.
    """
    size = body.get("maxResults", max_page)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= max_page:
        raise ListError(f"maxResults must be between 1 and {max_page}")
    parsed = _parse(kind, spec, body)
    digest = _digest(body)
    after, served = (-1, 0) if not body.get("nextToken") else _untoken(body["nextToken"], digest)
    total = _total(kind, spec, parsed, body, digest)
    items: list[dict[str, Any]] = []
    for item in _scan(kind, spec, parsed, body, after):
        after = item.pop("_idx")
        items.append(item)
        if len(items) >= size:
            break
    page: dict[str, Any] = {"totalResults": total, kind.key: items}
    if items and served + len(items) < total:
        page["nextToken"] = _token(after, served + len(items), digest)
    return page


def iter_all(kind: ListKind, spec: ProfileSpec) -> Iterator[dict[str, Any]]:
    """Every entity of ``kind`` in the order the endpoint serves them (for the truth API)."""
    for item in _scan(kind, spec, {"ids": {}}, {}, -1):
        item.pop("_idx")
        yield item
