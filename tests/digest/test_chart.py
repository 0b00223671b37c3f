"""The digest chart: currency glyphs, round ticks, a compact PNG inside the digest message and the preview."""

from __future__ import annotations

import io
import itertools
import shlex
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import font_manager
from matplotlib.image import imread
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.digest import CHART_BLOCK_ID, render_digest
from bot.blocks.format import format_money
from bot.features.base import CommandContext
from bot.features.digest import handle_digest
from bot.jobs.digests import send_due_digests
from bot.services.digest import DeliveryOptions, SubscribeRequest, render_chart_png, subscribe
from bot.services.digest.build import ChartSeries
from bot.services.digest.chart import CHART_FONT, CHART_SIZE, money_ticks
from bot.viewmodels import DigestVM
from bot.wiring import Services
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, SlackStandIn
from tests.blocks.helpers import assert_valid_message

from . import seed

DAYS = tuple(date(2025, 4, 30) + timedelta(days=n) for n in range(14))
NOW = datetime(2025, 5, 14, 7, 0, tzinfo=UTC)  # 09:00 in Berlin


def chart(panels: list[ChartSeries]) -> bytes:
    """The chart with the renderers' money labels (as delivery and the preview draw it)."""
    return render_chart_png(panels, money=format_money)


def series(currency: str, top: int = 400) -> ChartSeries:
    spend = tuple(Decimal(top) * n / 20 for n in range(14))
    sales = tuple(Decimal(top) * (n + 6) / 20 for n in range(14))
    return ChartSeries(currency, DAYS, spend, sales)


def pixels(png: bytes) -> np.ndarray[Any, Any]:
    return imread(io.BytesIO(png), format="png")


def tick_label_column(png: bytes) -> np.ndarray[Any, Any]:
    """The strip left of the plot where the money axis labels are drawn (below the title row)."""
    image = pixels(png)
    return image[44:330, 0:86, :3]


# --- glyphs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("symbol", ["€", "£", "¥", "₹", "₺"])
def test_the_chart_font_has_the_currency_glyph(symbol: str) -> None:
    path = font_manager.findfont(CHART_FONT, fallback_to_default=False)
    assert font_manager.get_font(path).get_char_index(ord(symbol)) != 0


def test_each_currency_symbol_is_drawn_as_its_own_glyph_not_a_box() -> None:
    """Same values, same ticks: only the symbol differs. Empty boxes would make the label strips equal."""
    strips = {cur: tick_label_column(chart([series(cur)])) for cur in ("EUR", "GBP", "JPY", "USD")}
    for cur, strip in strips.items():
        assert (strip < 0.5).any(), f"{cur}: no label ink"
    names = list(strips)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not np.array_equal(strips[a], strips[b]), f"{a} and {b} labels look the same"


# --- ticks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("high", "currency", "expected"),
    [
        ("442.52", "AUD", ["A$0", "A$100", "A$200", "A$300", "A$400", "A$500"]),
        ("37475", "JPY", ["¥0", "¥10,000", "¥20,000", "¥30,000", "¥40,000"]),
        ("1234.5", "SEK", ["0 SEK", "250 SEK", "500 SEK", "750 SEK", "1,000 SEK", "1,250 SEK"]),
        ("0.8", "USD", ["$0.00", "$0.20", "$0.40", "$0.60", "$0.80"]),
        ("0", "EUR", ["€0", "€2", "€4", "€6", "€8", "€10"]),
    ],
)
def test_ticks_are_round_amounts_in_the_currency(high: str, currency: str, expected: list[str]) -> None:
    assert [label for _, label in money_ticks(Decimal(0), Decimal(high), currency, format_money)] == expected


@settings(max_examples=60, deadline=None)
@given(
    high=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000000"), places=2),
    currency=st.sampled_from(["EUR", "GBP", "JPY", "USD", "INR"]),
)
def test_ticks_cover_the_range_with_one_nice_step(high: Decimal, currency: str) -> None:
    ticks = money_ticks(Decimal(0), high, currency, format_money)
    values = [v for v, _ in ticks]
    steps = {b - a for a, b in itertools.pairwise(values)}
    assert values[0] == 0 and values[-1] >= high and 3 <= len(values) <= 7 and len(steps) == 1
    assert len({label for _, label in ticks}) == len(ticks)  # no two ticks round to the same label
    (step,) = steps
    mantissa = step.scaleb(-step.adjusted()).normalize()
    assert mantissa in {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}
    if currency == "JPY":
        assert all(v == v.to_integral_value() and "." not in label for v, label in ticks)


# --- the image ------------------------------------------------------------------------------------------


def test_one_currency_is_800_by_360_and_more_add_rows() -> None:
    assert pixels(chart([series("EUR")])).shape[:2] == (CHART_SIZE[1], CHART_SIZE[0])
    assert pixels(chart([series("EUR"), series("GBP")])).shape[:2] == (360, 800)
    assert pixels(chart([series(c) for c in ("EUR", "GBP", "JPY")])).shape[:2] == (660, 800)


def test_same_series_same_bytes_and_not_loaded_days_are_gaps() -> None:
    gappy = ChartSeries("EUR", DAYS, (None,) * 13 + (Decimal(5),), (None,) * 14)
    assert chart([series("EUR")]) == chart([series("EUR")])
    assert chart([gappy])[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart([]) != chart([series("EUR")])


def test_the_digest_renderer_shows_the_uploaded_file_in_an_image_block() -> None:
    (msg,) = render_digest(DigestVM(date_label="Tue 13 May 2025", chart_file_id="F0123ABCD9"))
    chart = [b for b in msg["blocks"] if b["type"] == "image"]
    assert chart == [
        {
            "type": "image",
            "block_id": CHART_BLOCK_ID,
            "slack_file": {"id": "F0123ABCD9"},
            "alt_text": chart[0]["alt_text"],
        }
    ]
    assert msg["blocks"].index(chart[0]) == 1  # right under the title
    assert_valid_message(msg)


# --- delivery and preview against the stand-in ----------------------------------------------------------


def seed_eu(services: Services, channels: list[str], slack: SlackStandIn, *, chart: bool = True) -> None:
    eu = seed.connection(services.engine, "eu", last_success_at=datetime(2025, 5, 14, 5, 0, tzinfo=UTC))
    pk = seed.profile(
        services.engine,
        eu,
        region="eu",
        country="DE",
        currency="EUR",
        timezone="Europe/Paris",
        profile_id="1",
    )
    seed.metric(services.engine, pk, "1", date(2025, 5, 13), currency="EUR", cost="12.00", sales="40.00")
    for channel in channels:
        slack.add_channel(seed.TEAM, {"id": channel, "name": channel.lower()})
        subscribe(
            services,
            team_id=seed.TEAM,
            channel_id=channel,
            user_id=DEMO_ADMIN,
            request=SubscribeRequest(local_time="09:00", chart=chart),
            timezone="Europe/Berlin",
            now=NOW - timedelta(hours=1),
        )


def chart_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b.get("type") == "image"]


def test_the_digest_carries_the_chart_and_nothing_goes_to_a_thread(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    seed_eu(services, ["C0CHART01"], slack)
    report = send_due_digests(services, now=NOW, options=options)
    assert report.sent == 1 and report.uploads == 1 and report.thread_replies == 0
    (digest,) = slack.messages("C0CHART01")
    assert digest.thread_ts is None and digest.files == []
    (block,) = chart_blocks(digest.blocks)
    upload = slack.file(block["slack_file"]["id"])
    assert upload.completed and not upload.shared  # uploaded privately, shown only by the block
    assert pixels(upload.data or b"").shape[:2] == (360, 800)
    (complete,) = slack.calls("files.completeUploadExternal")
    assert "channel_id" not in complete.args and "channels" not in complete.args
    methods = [c.method for c in slack.calls() if c.ok]
    assert methods.index("files.completeUploadExternal") < methods.index("chat.postMessage")
    assert_valid_message({"text": digest.text, "blocks": digest.blocks})


def test_one_upload_serves_every_channel_with_the_same_chart(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    seed_eu(services, ["C0CHART01", "C0CHART02", "C0CHART03"], slack)
    report = send_due_digests(services, now=NOW, options=options)
    assert report.sent == 3 and report.uploads == 1
    ids = {
        chart_blocks(m.blocks)[0]["slack_file"]["id"]
        for c in ("C0CHART01", "C0CHART02", "C0CHART03")
        for m in slack.messages(c)
    }
    assert len(ids) == 1


def test_a_refused_file_is_retried_once_then_the_digest_goes_without_it(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    seed_eu(services, ["C0CHART01"], slack)
    slack.fail("chat.postMessage", error="invalid_blocks", times=2)
    report = send_due_digests(services, now=NOW, options=options)
    assert report.sent == 1 and report.failed == 0
    (digest,) = slack.messages("C0CHART01")
    assert chart_blocks(digest.blocks) == [] and "Amazon Ads digest" in digest.text


def test_a_failed_upload_still_posts_the_digest(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    seed_eu(services, ["C0CHART01"], slack)
    slack.fail("files.getUploadURLExternal", error="internal_error")
    report = send_due_digests(services, now=NOW, options=options)
    assert report.sent == 1 and report.uploads == 0
    (digest,) = slack.messages("C0CHART01")
    assert chart_blocks(digest.blocks) == []


def test_without_the_chart_option_nothing_is_uploaded(
    services: Services, slack: SlackStandIn, options: DeliveryOptions
) -> None:
    seed_eu(services, ["C0CHART01"], slack, chart=False)
    assert send_due_digests(services, now=NOW, options=options).uploads == 0
    assert slack.calls("files.getUploadURLExternal") == []


class Replies(list[dict[str, Any]]):
    def __call__(self, **kwargs: Any) -> None:
        self.append(kwargs)


def test_the_preview_shows_the_chart_too(services: Services, slack: SlackStandIn) -> None:
    seed_eu(services, [], slack)
    replies = Replies()
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url)
    ctx = CommandContext(
        services=services,
        team_id=seed.TEAM,
        enterprise_id="",
        user_id=DEMO_ADMIN,
        channel_id="C0PPC",
        command="digest",
        args=shlex.split("preview"),
        text="digest preview",
        trigger_id="",
        client=client,
        respond=replies,
    )
    handle_digest(ctx)
    note, first = replies[0], replies[1]
    assert note["text"] == "Preview, only visible to you."
    (block,) = chart_blocks(first["blocks"])
    assert slack.file(block["slack_file"]["id"]).completed
    assert_valid_message({"text": first["text"], "blocks": first["blocks"]})
    # Slack (the stand-in) accepts the block from this bot, in this workspace
    client.chat_postEphemeral(channel="C0PPC", user=DEMO_ADMIN, text=first["text"], blocks=first["blocks"])


def test_the_stand_in_refuses_unknown_or_unfinished_files(slack: SlackStandIn) -> None:
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url)
    started = client.files_getUploadURLExternal(filename="chart.png", length=3)
    block = {"type": "image", "slack_file": {"id": started["file_id"]}, "alt_text": "chart"}
    for blocks in ([block], [{**block, "slack_file": {"id": "F99999999Z"}}]):
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C0PPC", text="chart", blocks=blocks)
        assert caught.value.response["error"] == "invalid_blocks"
        assert "invalid slack file" in str(caught.value.response["errors"])
    both = {**block, "slack_file": {"id": started["file_id"], "url": "https://x.test/a.png"}}
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0PPC", text="chart", blocks=[both])


def test_the_axis_and_the_messages_agree_on_whole_units() -> None:
    def money(amount: Decimal, currency: str) -> str:
        return format_money(amount, currency)

    for currency in ("JPY", "KRW"):  # no minor unit: the axis steps in whole units
        ticks = money_ticks(Decimal(0), Decimal(3), currency, money)
        assert all(value == value.to_integral_value() for value, _label in ticks), ticks
    euro_ticks = money_ticks(Decimal(0), Decimal("0.3"), "EUR", money)
    assert any(value != value.to_integral_value() for value, _label in euro_ticks), euro_ticks
