"""Small seeding helpers for the campaign tests (the sync engine is not needed to have campaigns)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session

from storage.models import (
    AdGroup,
    Campaign,
    CampaignDailyMetric,
    Connection,
    ConnectionStatus,
    Keyword,
    KeywordDailyMetric,
    Profile,
)

CURRENCIES = {"US": "USD", "CA": "CAD", "DE": "EUR", "FR": "EUR", "UK": "GBP", "JP": "JPY", "AU": "AUD"}
REGION_OF = {"US": "na", "CA": "na", "DE": "eu", "FR": "eu", "UK": "eu", "JP": "fe", "AU": "fe"}
TODAY = date(2025, 5, 14)
NOW = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)
_ids = itertools.count(10**11)


def seed_profiles(session: Session, *, team_id: str, countries: tuple[str, ...]) -> dict[str, Profile]:
    """One connected region per needed region, one selected profile per country."""
    connections: dict[str, Connection] = {}
    profiles: dict[str, Profile] = {}
    for country in countries:
        region = REGION_OF[country]
        if region not in connections:
            conn = Connection(
                team_id=team_id, region=region, status=ConnectionStatus.CONNECTED, last_success_at=NOW
            )
            session.add(conn)
            session.flush()
            connections[region] = conn
        conn = connections[region]
        assert conn.id is not None
        profile = Profile(
            connection_id=conn.id,
            team_id=team_id,
            region=region,
            profile_id=str(next(_ids)),
            country_code=country,
            currency_code=CURRENCIES[country],
            timezone="UTC",
            account_name=f"Acme {country}",
            selected=True,
        )
        session.add(profile)
        session.flush()
        profiles[country] = profile
    return profiles


def add_campaign(
    session: Session,
    profile: Profile,
    *,
    name: str,
    state: str = "enabled",
    ad_product: str = "SP",
    budget: Decimal | None = Decimal("50"),
    campaign_id: str | None = None,
) -> Campaign:
    assert profile.id is not None
    campaign = Campaign(
        profile_pk=profile.id,
        team_id=profile.team_id,
        campaign_id=campaign_id or str(next(_ids)),
        ad_product=ad_product,
        name=name,
        state=state,
        budget=budget,
        budget_type="DAILY",
    )
    session.add(campaign)
    session.flush()
    return campaign


def add_metric(
    session: Session, campaign: Campaign, profile: Profile, *, day: date, cost: str, sales: str = "0"
) -> None:
    session.add(
        CampaignDailyMetric(
            profile_pk=campaign.profile_pk,
            campaign_id=campaign.campaign_id,
            date=day,
            currency=profile.currency_code,
            cost=Decimal(cost),
            sales=Decimal(sales),
        )
    )
    session.flush()


def add_keyword(
    session: Session,
    campaign: Campaign,
    profile: Profile,
    *,
    text: str,
    day: date,
    cost: str,
    sales: str = "0",
) -> None:
    group = AdGroup(
        profile_pk=campaign.profile_pk,
        campaign_id=campaign.campaign_id,
        ad_group_id=str(next(_ids)),
        name=f"{text} group",
        state="enabled",
        default_bid=Decimal("0.75"),
    )
    session.add(group)
    keyword = Keyword(
        profile_pk=campaign.profile_pk,
        campaign_id=campaign.campaign_id,
        ad_group_id=group.ad_group_id,
        keyword_id=str(next(_ids)),
        text=text,
        match_type="EXACT",
        state="enabled",
        bid=Decimal("1.10"),
    )
    session.add(keyword)
    session.add(
        KeywordDailyMetric(
            profile_pk=campaign.profile_pk,
            keyword_id=keyword.keyword_id,
            campaign_id=campaign.campaign_id,
            ad_group_id=group.ad_group_id,
            date=day,
            currency=profile.currency_code,
            cost=Decimal(cost),
            sales=Decimal(sales),
        )
    )
    session.flush()
