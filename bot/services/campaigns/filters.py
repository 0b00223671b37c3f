"""The campaign filter: Hilal's one filter type, its one JSON reader and writer (remembered filters, saved
views) and the parser of `/hilal campaigns region eu,fe marketplace de state enabled tag launch "summer"`.

The list and the digest both apply it through the one query built from it
(`bot.services.campaigns.listing.page_query`); `CampaignFilterVM` is drawn from it by `to_vm`
only.

Normal form (so a saved view restores *exactly* what was saved and two equal filters compare equal):
regions lower case in NA, EU, FE order; marketplaces as `bot.amazon.regions.normalize_country` gives
them (upper case, ``GB`` read as ``UK``) in the order given; states lower case in enabled, paused,
archived order; tags lower case in the order given; search stripped (None when empty); sort one of
spend, name, acos.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from bot.amazon.regions import ALL_REGIONS, normalize_country, region_of_country
from bot.errors import UsageError
from bot.viewmodels import AT_RISK_PERCENT, CampaignFilterVM

__all__ = [
    "AT_RISK_PERCENT",
    "EXAMPLE",
    "SEARCH_MAX_LENGTH",
    "SORTS",
    "STATES",
    "TAG_MAX_LENGTH",
    "CampaignFilter",
    "SortKey",
    "marketplaces_in",
    "normalize_tag",
    "parse_campaign_filter",
]

SortKey = Literal["spend", "name", "acos", "usage"]
REGIONS = tuple(r.value for r in ALL_REGIONS)
STATES = ("enabled", "paused", "archived")
SORTS: tuple[SortKey, ...] = ("spend", "name", "acos", "usage")
_AT_RISK_WORDS = {"at-risk", "atrisk", "at_risk"}
TAG_MAX_LENGTH = 50
SEARCH_MAX_LENGTH = 100
EXAMPLE = '/hilal campaigns region eu,fe marketplace de state enabled tag launch "summer"'
_TAG_RE = re.compile(r"^[\w][\w\-.:/+&]*$")
_KEYWORDS = {
    "region": "regions",
    "regions": "regions",
    "marketplace": "marketplaces",
    "marketplaces": "marketplaces",
    "mp": "marketplaces",
    "country": "marketplaces",
    "state": "states",
    "states": "states",
    "status": "states",
    "tag": "tags",
    "tags": "tags",
    "sort": "sort",
    "search": "search",
    "name": "search",
}
_RESET = {"all", "clear", "reset"}


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _sort(value: str) -> SortKey:
    for key in SORTS:
        if key == value:
            return key
    return "spend"


def _searchable(text: str) -> str:
    """``text`` without what no database can search for: NUL characters and unpaired surrogates."""
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def normalize_tag(text: str) -> str:
    """A tag as stored: trimmed, lower case, at most 50 characters of letters, digits and ``-_.:/+&``.

    Raises:
        UsageError: Not text (a JSON number), empty, too long, or with other characters (spaces included).
    """
    if not isinstance(text, str):
        raise UsageError("Tags must be text.", hint="Example: `launch` or `q4-brand`.")
    tag = text.strip().lower().lstrip("#")
    if not tag:
        raise UsageError("A tag cannot be empty.", hint="Example: `launch` or `q4-brand`.")
    if len(tag) > TAG_MAX_LENGTH:
        raise UsageError(f"Tags are at most {TAG_MAX_LENGTH} characters; `{tag[:20]}…` is {len(tag)}.")
    if not _TAG_RE.match(tag):
        raise UsageError(
            f"`{tag[:50]}` is not a valid tag: use letters, digits and - _ . : / + & (no spaces).",
            hint="Example: `summer-sale`.",
        )
    return tag


@dataclass(frozen=True, slots=True)
class CampaignFilter:
    """What the campaign list shows; empty fields mean "all"."""

    regions: tuple[str, ...] = ()
    marketplaces: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    search: str | None = None
    sort: SortKey = "spend"
    at_risk: bool = False

    @classmethod
    def create(
        cls,
        *,
        regions: Iterable[str] = (),
        marketplaces: Iterable[str] = (),
        states: Iterable[str] = (),
        tags: Iterable[str] = (),
        search: str | None = None,
        sort: str = "spend",
        at_risk: bool = False,
    ) -> CampaignFilter:
        """A filter in normal form; unknown regions, states and sorts are dropped (UI input is trusted
        only this far), tags that are not valid are dropped."""
        region_set = {r.strip().lower() for r in regions}
        state_set = {s.strip().lower() for s in states}
        valid_tags = []
        for tag in tags:
            try:
                valid_tags.append(normalize_tag(tag))
            except UsageError:
                continue
        text = _searchable(search or "").strip()[:SEARCH_MAX_LENGTH] or None
        return cls(
            regions=tuple(r for r in REGIONS if r in region_set),
            marketplaces=_unique(normalize_country(m) for m in marketplaces if 0 < len(m.strip()) <= 4),
            states=tuple(s for s in STATES if s in state_set),
            tags=_unique(valid_tags),
            search=text,
            sort=_sort(sort),
            at_risk=bool(at_risk),
        )

    def with_changes(self, **changes: object) -> CampaignFilter:
        """A copy with some fields replaced, brought back to normal form."""
        merged = replace(self, **changes)  # type: ignore[arg-type]
        return CampaignFilter.create(
            regions=merged.regions,
            marketplaces=merged.marketplaces,
            states=merged.states,
            tags=merged.tags,
            search=merged.search,
            sort=merged.sort,
            at_risk=merged.at_risk,
        )

    def is_empty(self) -> bool:
        """True when nothing narrows the list (the sort does not count)."""
        narrowed = self.regions or self.marketplaces or self.states or self.tags or self.search
        return not (narrowed or self.at_risk)

    def to_json(self) -> str:
        """Stable JSON (sorted keys) for `UserFilterState.filter_json` and `SavedView.filter_json`."""
        data: dict[str, object] = {
            "regions": list(self.regions),
            "marketplaces": list(self.marketplaces),
            "states": list(self.states),
            "tags": list(self.tags),
            "search": self.search,
            "sort": self.sort,
        }
        if self.at_risk:  # only when set, so filters saved before it read and compare the same
            data["at_risk"] = True
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> CampaignFilter:
        """Read `to_json` output; anything unreadable gives the default filter (never an error)."""
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError:
            return cls()
        if not isinstance(data, dict):
            return cls()

        def strings(key: str) -> list[str]:
            value = data.get(key)
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

        search = data.get("search")
        sort = data.get("sort")
        return cls.create(
            regions=strings("regions"),
            marketplaces=strings("marketplaces"),
            states=strings("states"),
            tags=strings("tags"),
            search=search if isinstance(search, str) else None,
            sort=sort if isinstance(sort, str) else "spend",
            at_risk=data.get("at_risk") is True,
        )

    def to_vm(self) -> CampaignFilterVM:
        """The view-model the renderers draw."""
        return CampaignFilterVM(
            regions=self.regions,
            marketplaces=self.marketplaces,
            states=self.states,
            tags=self.tags,
            search=self.search,
            sort=self.sort,
            at_risk=self.at_risk,
        )


def _split_values(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, was quoted) pairs; curly quotes count as quotes."""
    lexer = shlex.shlex(text.replace("“", '"').replace("”", '"'))
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        raw = list(lexer)
    except ValueError:
        raise UsageError("A quote is not closed.", hint=f"Example: `{EXAMPLE}`") from None
    out = []
    for token in raw:
        quoted = len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'"
        out.append((token[1:-1] if quoted else token, quoted))
    return out


def _check_values(key: str, values: list[str]) -> list[str]:
    if key == "regions":
        bad = [v for v in values if v.lower() not in REGIONS]
        if bad:
            raise UsageError(
                f"`{bad[0][:20]}` is not a region: use na, eu or fe.", hint=f"Example: `{EXAMPLE}`"
            )
    elif key == "marketplaces":
        bad = [v for v in values if region_of_country(v) is None]
        if bad:
            raise UsageError(
                f"`{bad[0][:20]}` is not an Amazon Ads marketplace: "
                "use a country code such as us, de, uk, jp.",
                hint=f"Example: `{EXAMPLE}`",
            )
    elif key == "states":
        bad = [v for v in values if v.lower() not in STATES]
        if bad:
            raise UsageError(
                f"`{bad[0][:20]}` is not a campaign state: use enabled, paused or archived.",
                hint=f"Example: `{EXAMPLE}`",
            )
    elif key == "tags":
        return [normalize_tag(v) for v in values]
    return values


def _check_consistent(flt: CampaignFilter) -> None:
    if not flt.regions:
        return
    outside = [m for m in flt.marketplaces if region_of_country(m) not in flt.regions]
    if outside:
        code = outside[0]
        raise UsageError(
            f"Marketplace {code} is in {str(region_of_country(code)).upper()}, which is not among the "
            f"regions you chose ({', '.join(r.upper() for r in flt.regions)}).",
            hint=f"Add its region or drop the marketplace. Example: `{EXAMPLE}`",
        )


def parse_campaign_filter(text: str) -> CampaignFilter:
    """Parse the filter words after `/hilal campaigns`.

    Keywords (each followed by a value; lists separated by commas): ``region``, ``marketplace``,
    ``state``, ``tag``, ``sort`` (spend, name, acos, usage: today's budget usage), ``search``; ``at-risk``
    alone keeps campaigns at or over 80 % of today's budget. A quoted phrase is a text search on the
    name. ``all`` alone clears every filter.

    Args:
        text: e.g. ``region eu,fe marketplace de state enabled tag launch "summer"``.

    Returns:
        The filter in normal form.

    Raises:
        UsageError: An unknown word, a missing or invalid value, or a marketplace outside the regions.
    """
    fields: dict[str, list[str]] = {"regions": [], "marketplaces": [], "states": [], "tags": []}
    search: list[str] = []
    sort = "spend"
    at_risk = False
    tokens = _tokens(text)
    index = 0
    while index < len(tokens):
        word, quoted = tokens[index]
        index += 1
        if quoted:
            search.append(word)
            continue
        if word.lower() in _RESET and len(tokens) == 1:
            return CampaignFilter()
        if word.lower() in _AT_RISK_WORDS:
            at_risk = True
            continue
        key = _KEYWORDS.get(word.lower())
        if key is None:
            raise UsageError(
                f"`{word[:30]}` is not a filter. Use region, marketplace, state, tag, sort or search, "
                "and put words to search for in quotes.",
                hint=f"Example: `{EXAMPLE}`",
            )
        if index >= len(tokens):
            raise UsageError(f"`{word}` needs a value.", hint=f"Example: `{EXAMPLE}`")
        value, _ = tokens[index]
        index += 1
        if key == "search":
            search.append(value)
        elif key == "sort":
            if value.lower() not in SORTS:
                raise UsageError(
                    f"`{value[:20]}` is not a sort: use spend, name, acos or usage.",
                    hint="Example: `/hilal campaigns sort acos`",
                )
            sort = value.lower()
        else:
            fields[key] += _check_values(key, _split_values(value))
    joined = " ".join(search).strip()
    if len(joined) > SEARCH_MAX_LENGTH:
        raise UsageError(f"The search text is at most {SEARCH_MAX_LENGTH} characters.")
    flt = CampaignFilter.create(**fields, search=joined or None, sort=sort, at_risk=at_risk)
    _check_consistent(flt)
    return flt


def marketplaces_in(regions: Sequence[str], marketplaces: Sequence[str]) -> tuple[str, ...]:
    """Keep only the marketplaces served by ``regions`` (all of them when no region is chosen)."""
    if not regions:
        return tuple(marketplaces)
    return tuple(m for m in marketplaces if region_of_country(m) in regions)
