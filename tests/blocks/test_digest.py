from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.blocks.digest import render_digest
from bot.blocks.ids import ActionId, decode_meta
from bot.blocks.limits import total_text_length
from bot.viewmodels import (
    Change,
    CurrencyTotalVM,
    DigestLineVM,
    DigestMetricVM,
    DigestVM,
    HealthVM,
    MarketplaceDigestVM,
    Money,
    Region,
    RegionDigestVM,
)
from tests.blocks.factories import COUNTRIES, EVIL
from tests.blocks.helpers import assert_valid_message, elements, joined

RECONNECT_URL = "https://hilal.example/amazon/oauth/start?region=fe"


def marketplace(country: str, *, heavy: bool = False, account: str = "Acme GmbH") -> MarketplaceDigestVM:
    currency = "EUR" + "X" * 40 if heavy else "EUR"  # a heavy figure fills its 40 characters
    metrics = [
        DigestMetricVM(
            label, Money(Decimal(1234), currency), Change(Decimal("0.123")), Change(Decimal("-0.02"))
        )
        for label in (
            "Spend",
            "Sales",
            "ACOS",
            "Clicks",
            "Impressions",
            "Orders",
            "CPC",
            "CTR",
            "ROAS",
            "CVR",
            "X",
        )
    ]
    spend = Money(Decimal(210), "EUR")
    names = [f"Campaign {i} " + "x" * (90 if heavy else 0) for i in range(7)]
    top = [DigestLineVM(name, spend, sales=Money(Decimal("1153.85"), "EUR")) for name in names]  # ACOS 18.2%
    moved = [DigestLineVM(name, spend, previous=Money(Decimal(150), "EUR")) for name in names[:2]]
    capped = [DigestLineVM(names[0], spend, budget=Money(Decimal(200), "EUR"))]
    return MarketplaceDigestVM(country, account, "EUR", metrics, top, moved, capped)


def health() -> list[HealthVM]:
    return [
        HealthVM(Region.NA, datetime(2026, 5, 14, 9, 1, tzinfo=UTC), "connected", stale=True),
        HealthVM(Region.EU, datetime(2026, 5, 14, 9, 2, tzinfo=UTC), "connected"),
        HealthVM(
            Region.FE,
            datetime(2026, 5, 12, 9, 0, tzinfo=UTC),
            "reconnect_needed",
            reconnect_url=RECONNECT_URL,
        ),
    ]


def digest(regions: list[RegionDigestVM], **kw: object) -> DigestVM:
    return DigestVM("Tue 14 May 2025", regions, health(), **kw)  # type: ignore[arg-type]


def eu(count: int, *, heavy: bool = False) -> RegionDigestVM:
    mps = [marketplace(COUNTRIES[i % 10] + str(i), heavy=heavy) for i in range(count)]
    return RegionDigestVM(
        Region.EU,
        mps,
        [
            CurrencyTotalVM("EUR", Decimal(9000), Decimal(30000)),
            CurrencyTotalVM("GBP", Decimal(100), Decimal(400)),
        ],
    )


def test_small_digest_is_one_message_with_health_footer() -> None:
    messages = render_digest(digest([eu(2)], restatement_note="Amazon may restate the last 3 days."))
    assert len(messages) == 1
    msg = messages[0]
    assert_valid_message(msg)
    text = joined(msg["blocks"])
    for part in (
        "Amazon Ads digest · Tue 14 May 2025",
        "*Europe (EU)*",
        "EUR: spend €9,000.00",
        "GBP: spend £100.00",
        "*Spend*: €1,234.00",
        "▲ 12.3% vs prev · ▼ 2.0% vs avg",
        "*Top campaigns*",
        "*Movers*",
        "*Out of budget*",
        "… and 2 more",
        "Sync health",
        "later than expected",
        "restate",
    ):
        assert part in text
    assert msg["text"].endswith("Reconnect needed: Far East")


def test_reconnect_button_and_history_only() -> None:
    health_rows = [*health()[:2], HealthVM(Region.FE, None, "disconnected", reconnect_url=RECONNECT_URL)]
    vm = DigestVM("d", [eu(1)], health_rows)
    msg = render_digest(vm)[0]
    assert_valid_message(msg)
    buttons = elements(msg["blocks"], "button")
    assert [(b["action_id"], b["url"], decode_meta(b["value"])) for b in buttons] == [
        (ActionId.DIGEST_RECONNECT, RECONNECT_URL, {"region": "fe"})
    ]
    assert "disconnected: history only" in joined(msg["blocks"])
    reconnect = render_digest(digest([eu(1)]))[0]
    assert len(elements(reconnect["blocks"], "button")) == 1


def test_many_marketplaces_fold_into_thread_messages_in_order() -> None:
    regions = [
        eu(30, heavy=True),
        RegionDigestVM(Region.NA, [marketplace("US", heavy=True) for _ in range(10)]),
    ]
    messages = render_digest(digest(regions))
    assert len(messages) > 2
    for msg in messages:
        assert_valid_message(msg)
        assert len(msg["blocks"]) <= 50 and total_text_length(msg["blocks"]) <= 10_000
    first = joined(messages[0]["blocks"])
    assert "Sync health" in first and "more marketplaces in the thread" in first
    assert all("Sync health" not in joined(m["blocks"]) for m in messages[1:])
    assert all("(continued)" in m["text"] for m in messages[1:])
    titles = [line for m in messages for line in joined(m["blocks"]).splitlines() if "· Acme GmbH*" in line]
    assert len(titles) == 40
    assert "North America (NA)" in joined(messages[-1]["blocks"])


def test_thread_messages_repeat_the_region_heading() -> None:
    messages = render_digest(digest([eu(20, heavy=True)]))
    assert len(messages) > 1
    assert "*Europe (EU)* (continued)" in joined(messages[1]["blocks"])


def test_empty_digest_and_region_without_marketplaces() -> None:
    empty = render_digest(DigestVM("d"))
    assert len(empty) == 1
    assert_valid_message(empty[0])
    assert "No marketplace data" in joined(empty[0]["blocks"])
    bare = render_digest(
        digest([RegionDigestVM(Region.FE)], chart_url="https://charts.example/x.png", view_name="EU")
    )
    assert_valid_message(bare[0])
    assert "No marketplaces selected" in joined(bare[0]["blocks"])
    assert bare[0]["blocks"][2]["type"] == "image"


def test_currency_totals_accept_plain_tuples() -> None:
    region = RegionDigestVM(Region.NA, [], [("USD", Decimal(1), Decimal(4))])  # type: ignore[list-item]
    assert "USD: spend $1.00 · sales $4.00 · ACOS 25.0%" in joined(
        render_digest(digest([region]))[0]["blocks"]
    )


def test_digest_escapes_user_text() -> None:
    mp = MarketplaceDigestVM("DE", EVIL, "EUR", [], [DigestLineVM(EVIL, Money(Decimal(1), EVIL))])
    msg = render_digest(digest([RegionDigestVM(Region.EU, [mp])], view_name=EVIL))[0]
    assert_valid_message(msg)
    assert "<!channel>" not in joined(msg["blocks"]) + msg["text"]
