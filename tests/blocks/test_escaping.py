"""User and Amazon text never becomes a mention, a broadcast or a link; Hilal's own mentions stay live."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.blocks.campaigns import render_campaign_details, render_campaign_message
from bot.blocks.common import safe
from bot.blocks.digest import render_digest
from bot.blocks.errors import render_user_error
from bot.blocks.format import (
    Mrkdwn,
    channel_mention,
    escape_mrkdwn,
    join_mrkdwn,
    mrkdwn_format,
    unescape_mrkdwn,
    user_mention,
)
from bot.blocks.home import render_home
from bot.blocks.marketplaces import render_marketplace_picker
from bot.blocks.modals import (
    render_choose_campaign,
    render_disconnect_confirm,
    render_note_modal,
    render_save_view_modal,
    render_tag_modal,
)
from bot.blocks.region_card import render_region_cards_message
from bot.blocks.views import render_view_list
from bot.viewmodels import (
    AdGroupVM,
    CampaignDetailVM,
    CampaignFilterVM,
    CampaignMatchVM,
    CampaignPageVM,
    CampaignRowVM,
    CurrencyTotalVM,
    DigestLineVM,
    DigestMetricVM,
    DigestVM,
    HealthVM,
    HomeVM,
    KeywordVM,
    MarketplaceDigestVM,
    MarketplaceOptionVM,
    MarketplacePickerVM,
    Money,
    NoteVM,
    Region,
    RegionCardVM,
    RegionDigestVM,
    SavedViewVM,
)
from tests.blocks.markup import HOSTILE, assert_no_injected_markup, mrkdwn_texts, plain_texts

E = HOSTILE
OWNER = "U0OWNER"
M = Money(Decimal("1.5"), E)  # Amazon writes the currency code


def _row() -> CampaignRowVM:
    return CampaignRowVM(E, E, "eu", E, E, E, M, M, M, budget_type=E, tags=(E, "r&d"), has_note=True)


def _page() -> CampaignPageVM:
    flt = CampaignFilterVM(regions=(E,), marketplaces=(E,), states=(E,), tags=(E,), search=E, sort=E)  # type: ignore[arg-type]
    return CampaignPageVM(flt, [_row()], 40, marketplace_options=[E], tag_options=[E], render_key="k")


def _digest() -> DigestVM:
    line = DigestLineVM(E, M, sales=M, previous=M, budget=M)
    mp = MarketplaceDigestVM(E, E, E, [DigestMetricVM(E, M, None, None)], [line], [line], [line], E)
    region = RegionDigestVM(Region.EU, [mp], [CurrencyTotalVM(E, Decimal(1), Decimal(2))], E)
    health = [
        HealthVM(Region.EU, None, "connected"),
        HealthVM(Region.NA, None, "reconnect_needed", reconnect_url="https://x"),
    ]
    return DigestVM(E, [region], health, E, None, E)


def _cards() -> list[RegionCardVM]:
    return [
        RegionCardVM(Region.EU, E, "syncing", None, [(E, E), (E, E)], None, None, E, warning=E),
        RegionCardVM(
            Region.FE,
            E,
            "reconnect_needed",
            "https://hilal.example/start",
            [(E, E)],
            None,
            None,
            None,
            warning=E,
        ),
    ]


def _rendered() -> dict[str, Any]:
    """Every renderer, fed a hostile string in every string field a user or Amazon can fill."""
    picker_options = [MarketplaceOptionVM(str(i), E, f"{E} {i}") for i in range(12)]
    blocked = MarketplaceOptionVM("99", E, E, selectable=False, reason=E)
    detail = CampaignDetailVM(
        _row(), [AdGroupVM(E, E, M, M)], 3, [KeywordVM(E, E, M, M, M)], [NoteVM(OWNER, E, E)], E, None
    )
    views = [
        SavedViewVM(E, True, OWNER, CampaignFilterVM(search=E)),
        SavedViewVM("R&D", False, E, CampaignFilterVM(tags=(E,))),
    ]
    return {
        "campaign list": render_campaign_message(_page()),
        "campaign details": render_campaign_details(detail),
        "digest": render_digest(_digest()),
        "region cards": render_region_cards_message(_cards()),
        "picker (checkboxes)": render_marketplace_picker(
            MarketplacePickerVM(Region.EU, [*picker_options[:3], blocked], region_name=E, reconnect=True)
        ),
        "picker (grouped)": render_marketplace_picker(
            MarketplacePickerVM(Region.EU, picker_options, region_name=E)
        ),
        "saved views": render_view_list(views),
        "home": render_home(HomeVM(_cards(), _page(), views)),
        "tag modal": render_tag_modal(E, "1", ["r&d", E]),
        "note modal": render_note_modal(E, "1", initial_text=E),
        "save view modal": render_save_view_modal(E),
        "choose modal": render_choose_campaign([CampaignMatchVM("1", E, "eu", E, E, E)], query=E),
        "disconnect": render_disconnect_confirm("eu", name=E),
    }


def test_every_renderer_keeps_hostile_text_inert() -> None:
    problems = []
    for surface, rendered in _rendered().items():
        try:
            assert_no_injected_markup(rendered, allowed=[f"<@{OWNER}>"])
        except AssertionError as error:
            problems.append(f"{surface}: {str(error).splitlines()[0]}")
    assert problems == []


def test_plain_text_fields_show_names_as_typed() -> None:
    shown = plain_texts(_rendered()["tag modal"]) + plain_texts(_rendered()["campaign details"])
    assert "r&d" in shown  # an option of the tag modal, not "r&amp;d"
    assert E in shown  # the details header: plain text, so no escaping


def test_mrkdwn_format_escapes_values_and_keeps_hilals_markup() -> None:
    text = mrkdwn_format(
        "{owner} shares `{name}` in {channel} · {count:,} campaigns",
        owner=user_mention("U0ADMIN"),
        name="<!channel> & co",
        channel=channel_mention("C0PPC"),
        count=12000,
    )
    assert isinstance(text, Mrkdwn)
    assert text == "<@U0ADMIN> shares `&lt;!channel&gt; &amp; co` in <#C0PPC> · 12,000 campaigns"
    assert user_mention("<!here>") == "&lt;!here&gt;" and channel_mention("C1>|x") == "C1&gt;|x"
    assert join_mrkdwn(", ", [user_mention("U1"), "a<b"]) == "<@U1>, a&lt;b"
    assert unescape_mrkdwn(text) == "<@U0ADMIN> shares `<!channel> & co` in <#C0PPC> · 12,000 campaigns"
    assert unescape_mrkdwn("a &amp; b") == "a &amp; b"  # a plain str was never escaped


def test_escaped_text_is_never_escaped_twice() -> None:
    once = escape_mrkdwn("R&D <x>")
    assert escape_mrkdwn(once) == safe(once, 100) == "R&amp;D &lt;x&gt;"


def test_cutting_hilals_own_mrkdwn_never_splits_a_mention_or_an_entity() -> None:
    text = mrkdwn_format("{a} and {b}", a=user_mention("U0ADMIN"), b="x & y")
    assert safe(text, 8) == "…"  # "<@U0ADMIN>" does not fit: dropped whole, not cut to "<@U0AD"
    assert safe(text, 21) == "<@U0ADMIN> and x …"  # "&amp;" does not fit: dropped whole


def test_user_errors_keep_hilals_mentions_live_and_escape_the_rest() -> None:
    detail = mrkdwn_format("`{name}` belongs to {owner}.", name=E, owner=user_mention("U0ADMIN"))
    hint = mrkdwn_format("Ask {admins}.", admins=join_mrkdwn(", ", [user_mention("U0ADMIN"), E]))
    msg = render_user_error("Not allowed", detail, hint=hint)
    assert "<@U0ADMIN>" in msg["text"] and "<@U0ADMIN>" in "".join(mrkdwn_texts(msg["blocks"]))
    assert_no_injected_markup(msg, allowed=["<@U0ADMIN>"])
    plain = render_user_error(E, E, hint=E)  # a plain str is user text: always escaped
    assert_no_injected_markup(plain)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"text": "ping <!channel>"}, "unescaped '<'"),
        ({"type": "mrkdwn", "text": "R&D"}, "bare '&'"),
        ({"type": "mrkdwn", "text": "R&amp;amp;D"}, "escaped twice"),
        ({"type": "plain_text", "text": "R&amp;D"}, "HTML entity"),
    ],
)
def test_the_markup_check_catches_what_it_claims_to(bad: dict[str, str], problem: str) -> None:
    with pytest.raises(AssertionError, match=problem):
        assert_no_injected_markup({"blocks": [bad]})
    assert_no_injected_markup({"text": "ok <@U1> <!date^1^{date}|x>"}, allowed=["<@U1>"])
