"""Seeding users and profiles: the local demo and sized accounts for tests and benchmarks (reference §8.4).

Seeding stores only a :class:`ProfileSpec` per profile; entities and metrics are generated on demand,
so a profile with 200,000 keywords costs the same to seed as one with five.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.amazon.entities import ProfileSpec, unit
from sandbox.amazon.regions import REGIONS, marketplace
from sandbox.amazon.state import SimState, User

__all__ = ["DEMO_USER", "add_profile", "seed_account", "seed_demo"]

DEMO_USER = "demo"
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_PROFILE_MODULUS = 9 * 10**14


def _account_id(seed: int, seq: int, profile_type: str) -> str:
    chars = "".join(_ALPHABET[int(unit(seed, 90, seq, n) * len(_ALPHABET))] for n in range(13))
    return f"A{chars}" if profile_type == "seller" else f"ENTITY{chars[:12]}"


def add_profile(
    state: SimState,
    *,
    user_id: str,
    country: str,
    profile_type: str = "seller",
    access: str = "edit",
    account_name: str,
    account_id: str | None = None,
    sizes: tuple[int, int, int] = (5, 2, 5),
    days: int = 60,
    active_keyword_share: float = 0.15,
    overrides: dict[int, dict[str, Any]] | None = None,
) -> ProfileSpec:
    """Create one profile (``sizes``: campaigns, ad groups per campaign, keywords per ad group)."""
    if profile_type not in ("seller", "vendor", "agency"):
        raise ValueError(f"profile_type must be seller, vendor or agency, not {profile_type!r}")
    if access not in ("edit", "view"):
        raise ValueError(f"access must be edit or view, not {access!r}")
    market = marketplace(country)
    seed = state.config.seed
    with state.lock:
        if user_id not in state.users:
            state.users[user_id] = User(user_id, user_id)
        seq = state.next_seq
        state.next_seq += 1
        profile_id = 10**14 + (seq * 7_919_937_281 + seed * 104_729) % _PROFILE_MODULUS
        today = state.now().astimezone(ZoneInfo(market.timezone)).date()
        spec = ProfileSpec(
            profile_id=profile_id,
            seq=seq,
            user_id=user_id,
            region=market.region,
            market=market,
            profile_type=profile_type,
            access=access,
            account_id=account_id or _account_id(seed, seq, profile_type),
            account_name=account_name,
            campaigns=sizes[0],
            ad_groups_per_campaign=max(1, sizes[1]),
            keywords_per_ad_group=max(0, sizes[2]),
            data_start=today - timedelta(days=days),
            seed=seed,
            active_keyword_share=active_keyword_share,
            overrides=dict(overrides or {}),
        )
        state.profiles[profile_id] = spec
    return spec


def seed_account(
    state: SimState,
    *,
    user_id: str,
    region: str,
    marketplaces: Sequence[str],
    campaigns_per_profile: int = 5,
    ad_groups_per_campaign: int = 2,
    keywords_per_ad_group: int = 5,
    days: int = 60,
    profile_type: str = "seller",
    access: str = "edit",
    accounts: int = 1,
    account_name: str | None = None,
    active_keyword_share: float = 0.15,
) -> list[ProfileSpec]:
    """Create ``accounts`` accounts of ``user_id``, each with one profile per marketplace of ``region``.

    Raises:
        ValueError: unknown region, or a marketplace that is not in ``region``.
    """
    region = region.lower()
    if region not in REGIONS:
        raise ValueError(f"region must be one of {REGIONS}, not {region!r}")
    wrong = [m for m in marketplaces if marketplace(m).region != region]
    if wrong:
        raise ValueError(f"marketplaces {wrong} are not in region {region}")
    created = []
    for n in range(accounts):
        name = account_name or f"{user_id} account"
        name = f"{name} {n + 1}" if accounts > 1 else name
        shared_id: str | None = None
        for country in marketplaces:
            spec = add_profile(
                state,
                user_id=user_id,
                country=country,
                profile_type=profile_type,
                access=access,
                account_name=name,
                account_id=shared_id,
                days=days,
                active_keyword_share=active_keyword_share,
                sizes=(campaigns_per_profile, ad_groups_per_campaign, keywords_per_ad_group),
            )
            shared_id = spec.account_id  # one seller account spans its marketplaces
            created.append(spec)
    return created


_DEMO: tuple[tuple[str, int], ...] = (
    ("US", 60),
    ("CA", 20),
    ("UK", 30),
    ("DE", 30),
    ("FR", 20),
    ("IT", 20),
    ("ES", 20),
    ("NL", 20),
    ("SE", 20),
    ("PL", 20),
    ("JP", 25),
    ("AU", 20),
)


def seed_demo(state: SimState) -> list[ProfileSpec]:
    """The local-mode demo: user ``demo`` with sellers in NA, EU and FE, an agency and a view-only vendor.

    Returns the demo's profiles; seeding twice returns the existing ones.
    """
    with state.lock:
        existing = [p for p in state.profiles.values() if p.user_id == DEMO_USER]
        if existing:
            return existing
        state.users[DEMO_USER] = User(DEMO_USER, "Demo Seller")
    created: list[ProfileSpec] = []
    shared: dict[str, str] = {}
    for country, campaigns in _DEMO:
        region = marketplace(country).region
        overrides = (
            {5: {"state": "OTHER"}, 6: {"state": "ARCHIVED"}, 7: {"state": "PAUSED"}}
            if country == "US"
            else {}
        )
        spec = add_profile(
            state,
            user_id=DEMO_USER,
            country=country,
            account_name="Demo Seller",
            account_id=shared.get(region),
            sizes=(campaigns, 3, 8),
            days=150,
            overrides=overrides,
        )
        shared.setdefault(region, spec.account_id)
        created.append(spec)
    created.append(
        add_profile(
            state,
            user_id=DEMO_USER,
            country="US",
            profile_type="agency",
            account_name="Demo Agency",
            sizes=(0, 1, 0),
            days=150,
        )
    )
    created.append(
        add_profile(
            state,
            user_id=DEMO_USER,
            country="DE",
            profile_type="vendor",
            access="view",
            account_name="Demo Vendor",
            sizes=(10, 2, 6),
            days=150,
        )
    )
    return created
