"""A digest scoped by a saved view covers what the campaign list shows for that view (one filter, one query).

The UK marketplace is stored as Amazon's ``UK``; a user may type ``uk`` or ``gb`` (ISO), and a saved view's
JSON may hold either: the list and the digest pick the same campaigns whichever it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from bot.services.campaigns import CampaignFilter, list_campaigns, parse_campaign_filter, save_view
from bot.services.digest import DigestScope, build_digest
from storage.db import session_scope
from storage.models import SavedView

from . import seed
from .conftest import make_services

NOW = datetime(2025, 5, 14, 6, 30, tzinfo=UTC)  # London and Berlin 14 May; Los Angeles 13 May
D13, D12 = date(2025, 5, 13), date(2025, 5, 12)


def _seed(engine: Engine) -> None:
    eu = seed.connection(engine, "eu", last_success_at=NOW)
    na = seed.connection(engine, "na", last_success_at=NOW)
    uk = seed.profile(
        engine, eu, region="eu", country="UK", currency="GBP", timezone="Europe/London", profile_id="1"
    )
    de = seed.profile(
        engine, eu, region="eu", country="DE", currency="EUR", timezone="Europe/Berlin", profile_id="2"
    )
    us = seed.profile(
        engine, na, region="na", country="US", currency="USD", timezone="America/Los_Angeles", profile_id="3"
    )
    for pk, cid, name, state, day, currency in (
        (uk, "11", "UK Brand", "enabled", D13, "GBP"),
        (uk, "12", "UK Generic", "paused", D13, "GBP"),
        (de, "21", "DE Brand", "enabled", D13, "EUR"),
        (us, "31", "US Brand", "enabled", D12, "USD"),
    ):
        seed.campaign(engine, pk, cid, name, state=state)
        seed.metric(engine, pk, cid, day, currency=currency, cost="10.00", sales="20.00")


def _view(engine: Engine, name: str, *, command: str | None = None, raw_json: str | None = None) -> int:
    """A saved view made from `/hilal campaigns <command>` (as the app saves it) or from raw JSON."""
    with session_scope(engine) as session:
        if command is not None:
            view, _ = save_view(
                session,
                team_id=seed.TEAM,
                user_id="U1",
                name=name,
                shared=True,
                filter=parse_campaign_filter(command),
                now=NOW,
            )
        else:
            view = SavedView(
                team_id=seed.TEAM, owner_id="U1", name=name, shared=True, filter_json=raw_json or ""
            )
            session.add(view)
        session.flush()
        assert view.id is not None
        return view.id


def _listed(engine: Engine, view_id: int) -> set[tuple[str, str]]:
    with session_scope(engine, readonly=True) as session:
        view = session.get(SavedView, view_id)
        assert view is not None
        flt = CampaignFilter.from_json(view.filter_json)
        page = list_campaigns(session, team_id=seed.TEAM, filter=flt, offset=0, limit=50, today=NOW.date())
    return {(row.country_code, row.name) for row in page.rows}


def _digested(engine: Engine, view_id: int) -> set[tuple[str, str]]:
    services = make_services(engine)
    try:
        vm = build_digest(services, scope=DigestScope(team_id=seed.TEAM, view_id=view_id), now=NOW).vm
    finally:
        services.background.shutdown(wait=False)
    return {(mp.country, line.name) for r in vm.regions for mp in r.marketplaces for line in mp.top_campaigns}


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"command": "marketplace uk"}, {("UK", "UK Brand"), ("UK", "UK Generic")}),
        ({"command": "marketplace gb"}, {("UK", "UK Brand"), ("UK", "UK Generic")}),
        ({"command": "marketplace GB,de state enabled"}, {("UK", "UK Brand"), ("DE", "DE Brand")}),
        ({"command": 'region eu marketplace uk "brand"'}, {("UK", "UK Brand")}),
        ({"raw_json": '{"marketplaces": ["gb"]}'}, {("UK", "UK Brand"), ("UK", "UK Generic")}),
        ({"raw_json": '{"marketplaces": ["uk"], "states": ["Paused"]}'}, {("UK", "UK Generic")}),
    ],
)
def test_a_view_with_the_uk_selects_the_same_campaigns_in_the_list_and_the_digest(
    engine: Engine, how: dict[str, str], expected: set[tuple[str, str]]
) -> None:
    _seed(engine)
    view_id = _view(engine, "UK", **how)
    assert _listed(engine, view_id) == expected
    assert _digested(engine, view_id) == expected


def test_uk_and_gb_views_cover_the_same_marketplaces_in_the_digest(engine: Engine) -> None:
    _seed(engine)
    services = make_services(engine)
    try:
        covered = []
        for n, typed in enumerate(("uk", "gb", "Gb ")):
            view_id = _view(engine, f"UK {n}", raw_json=f'{{"marketplaces": ["{typed}"]}}')
            vm = build_digest(services, scope=DigestScope(team_id=seed.TEAM, view_id=view_id), now=NOW).vm
            covered.append([(r.region, mp.country) for r in vm.regions for mp in r.marketplaces])
    finally:
        services.background.shutdown(wait=False)
    assert covered == [[("eu", "UK")]] * 3
