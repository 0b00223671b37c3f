"""A saved view's filter applied to the digest (`/hilal digest subscribe view NAME`).

`SavedView.filter_json` is written by the campaigns feature (`CampaignFilter.to_json`). The digest reads
it leniently: `regions`, `marketplaces` (country codes as that filter stores them, UK and GB alike; an
Amazon profile id or `region:profile_id` also match), `states`, `tags` and `search` (a case-insensitive
substring of the campaign name). Unknown keys are ignored; an empty list means "all".
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from storage.models import Campaign, Profile

__all__ = ["ViewFilter"]


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v not in (None, ""))
    return ()


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """What a saved view keeps; `ViewFilter()` keeps everything."""

    regions: tuple[str, ...] = ()
    marketplaces: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    search: str | None = None

    @classmethod
    def from_json(cls, raw: str | None) -> ViewFilter:
        """Parse `SavedView.filter_json` (malformed JSON keeps everything)."""
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        search = data.get("search")
        return cls(
            regions=tuple(r.lower() for r in _strings(data.get("regions"))),
            marketplaces=_strings(data.get("marketplaces")),
            states=tuple(s.lower() for s in _strings(data.get("states"))),
            tags=_strings(data.get("tags")),
            search=str(search).strip() or None if search else None,
        )

    @property
    def filters_campaigns(self) -> bool:
        return bool(self.states or self.tags or self.search)

    def keeps_profile(self, profile: Profile) -> bool:
        if self.regions and profile.region not in self.regions:
            return False
        if not self.marketplaces:
            return True
        names = {
            profile.profile_id,
            str(profile.id),
            f"{profile.region}:{profile.profile_id}",
            profile.country_code.upper(),
        }
        if names & {"UK", "GB"}:
            names |= {"UK", "GB"}  # Amazon says UK, ISO says GB; the campaigns filter stores UK
        return any(value in names or value.upper() in names for value in self.marketplaces)

    def keeps_campaign(self, campaign: Campaign | None, tagged: Collection[int]) -> bool:
        if not self.filters_campaigns:
            return True
        if campaign is None:
            return False
        if self.states and campaign.state.lower() not in self.states:
            return False
        if self.tags and campaign.id not in tagged:
            return False
        return not (self.search and self.search.casefold() not in campaign.name.casefold())
