"""The live-edit vocabulary: kinds, targets, previews and outcomes (frozen dataclasses, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "FIELD_OF_KIND",
    "KIND_ENTITIES",
    "EditKind",
    "EditOutcome",
    "EditPreview",
    "EditTarget",
    "EntityType",
    "ItemOutcome",
    "PreviewItem",
]

EntityType = Literal["campaign", "ad_group", "keyword"]
EditKind = Literal["pause", "enable", "budget", "bid", "default_bid"]

FIELD_OF_KIND: Mapping[str, str] = {
    "pause": "state",
    "enable": "state",
    "budget": "budget",
    "bid": "bid",
    "default_bid": "default_bid",
}
KIND_ENTITIES: Mapping[str, tuple[str, ...]] = {
    "pause": ("campaign", "ad_group", "keyword"),
    "enable": ("campaign", "ad_group", "keyword"),
    "budget": ("campaign",),
    "bid": ("keyword",),
    "default_bid": ("ad_group",),
}


@dataclass(frozen=True)
class EditTarget:
    """One entity to change, by its row id in Hilal (`Campaign.id`, `AdGroup.id`, `Keyword.id`).

    `value` sets a target value for this entity alone (undo restores each entity's own value); None
    uses the edit's value.
    """

    entity_type: EntityType
    pk: int
    value: str | None = None


@dataclass(frozen=True)
class PreviewItem:
    """One entity of a preview: Amazon's current value (`before`) → `after`.

    `synced` is Hilal's copy from the last sync; `stale` says Amazon's value differs from it.
    Amounts are text with the currency's decimals (`80.50`), states `ENABLED` / `PAUSED`.
    """

    entity_type: str
    entity_id: str
    entity_name: str
    campaign_pk: int
    field: str
    before: str
    after: str
    currency: str
    synced: str | None
    stale: bool
    meaning: str


@dataclass(frozen=True)
class EditPreview:
    """A stored, previewed batch waiting for Confirm until `expires_at`.

    `confirm_word` is set when the change is big (`big_change`): the user must type it. `skipped` names
    entities already as asked (left out of the batch).
    """

    batch_id: int
    team_id: str
    region: str
    kind: str
    items: tuple[PreviewItem, ...]
    skipped: tuple[str, ...]
    big_change: bool
    confirm_word: str | None
    expires_at: datetime
    undo_of: int | None = None

    @property
    def stale(self) -> bool:
        """Some entity's value at Amazon differs from Hilal's synced copy."""
        return any(item.stale for item in self.items)


@dataclass(frozen=True)
class ItemOutcome:
    """What became of one entity: `ok` True (applied), False (Amazon's `message`), None (pending)."""

    entity_type: str
    entity_id: str
    entity_name: str
    field: str
    before: str
    after: str
    currency: str
    ok: bool | None
    message: str | None


@dataclass(frozen=True)
class EditOutcome:
    """A batch as it stands: `status` (previewed, applying, applied, partial, failed, cancelled,
    expired), who applied it and when, and each entity's outcome. `undo_until` is when Undo lapses."""

    batch_id: int
    kind: str
    status: str
    applied_by: str | None
    applied_at: datetime | None
    undo_until: datetime | None
    items: tuple[ItemOutcome, ...]

    @property
    def applied(self) -> int:
        """Entities Amazon applied."""
        return sum(item.ok is True for item in self.items)

    @property
    def failed(self) -> int:
        """Entities Amazon refused (or the call failed for)."""
        return sum(item.ok is False for item in self.items)
