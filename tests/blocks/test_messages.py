"""Help, errors, saved views, admins, sync progress and App Home."""

from __future__ import annotations

from bot.blocks.admins import render_admins
from bot.blocks.errors import render_unexpected, render_user_error
from bot.blocks.help import render_help
from bot.blocks.home import render_home
from bot.blocks.ids import ActionId, decode_meta
from bot.blocks.limits import check_view
from bot.blocks.sync import describe_counts, render_sync_progress
from bot.blocks.views import render_view_list
from bot.viewmodels import (
    CampaignFilterVM,
    CommandHelp,
    HomeVM,
    Region,
    RegionCardVM,
    SavedViewVM,
    SyncProgressVM,
)
from tests.blocks.factories import EVIL, SYNCED_AT, long_row, page
from tests.blocks.helpers import assert_valid_message, assert_valid_view, elements, joined

COMMANDS = [
    CommandHelp("help", "Show this help", "/hilal help"),
    CommandHelp("connect REGION", "Connect an Amazon Ads region", "/hilal connect eu"),
    CommandHelp("campaigns [filters]", "List campaigns", "/hilal campaigns eu state:enabled"),
]


def test_help_lists_every_command_with_an_example() -> None:
    msg = render_help(COMMANDS)
    assert_valid_message(msg)
    text = joined(msg["blocks"])
    for cmd in COMMANDS:
        assert f"/hilal {cmd.usage}" in text and cmd.example in text
    assert msg["text"].startswith("Hilal commands: help, connect REGION")


def test_help_for_unknown_and_malformed_commands() -> None:
    unknown = render_help(COMMANDS, unknown="frobnicate")
    assert_valid_message(unknown)
    assert unknown["text"].startswith("Unknown command: `frobnicate`")
    assert "Unknown command: `frobnicate`" in joined(unknown["blocks"][0])
    problem = render_help(COMMANDS, problem="`connect` needs a region: na, eu or fe")
    assert problem["text"].startswith("`connect` needs a region")
    injected = render_help(COMMANDS, unknown=EVIL)
    assert "<!channel>" not in injected["text"] + joined(injected["blocks"])


def test_help_with_many_commands_stays_valid() -> None:
    many = [CommandHelp(f"cmd{i} " + "ARG " * 20, "does things " * 20, f"/hilal cmd{i}") for i in range(40)]
    assert_valid_message(render_help(many, problem="x" * 5000))


def test_user_error_and_unexpected() -> None:
    msg = render_user_error("Europe is not connected", "Nothing to sync yet.", hint="Run `/hilal connect eu`")
    assert_valid_message(msg)
    assert msg["text"] == "Europe is not connected: Nothing to sync yet. Run `/hilal connect eu`"
    unexpected = render_unexpected("ref-7f3a")
    assert_valid_message(unexpected)
    assert "ref-7f3a" in unexpected["text"] and "ref-7f3a" in joined(unexpected["blocks"])
    assert "<!channel>" not in joined(render_user_error(EVIL, EVIL, hint=EVIL)["blocks"])


def views(count: int) -> list[SavedViewVM]:
    return [
        SavedViewVM(
            f"View {i}",
            i % 2 == 0,
            "U0ABC",
            CampaignFilterVM(regions=("eu",), states=("enabled",), search=EVIL),
        )
        for i in range(count)
    ]


def test_view_list() -> None:
    msg = render_view_list(views(3))
    assert_valid_message(msg)
    opens = [b for b in elements(msg["blocks"], "button") if b["action_id"] == ActionId.VIEWS_OPEN]
    assert [decode_meta(b["value"]) for b in opens] == [{"name": f"View {i}"} for i in range(3)]
    text = joined(msg["blocks"])
    assert "👥 shared" in text and "🔒 personal" in text and "<@U0ABC>" in text and "<!channel>" not in text
    assert msg["text"] == "Saved views: View 0, View 1, View 2"


def test_view_list_empty_and_many() -> None:
    empty = render_view_list([])
    assert_valid_message(empty)
    assert "No saved views yet" in empty["text"]
    many = render_view_list(views(60))
    assert_valid_message(many)
    assert "and 35 more" in joined(many["blocks"])


def test_admins() -> None:
    msg = render_admins(["U1", "U2"])
    assert_valid_message(msg)
    assert "<@U1>" in joined(msg["blocks"]) and msg["text"] == "Hilal admins: <@U1>, <@U2>"
    assert_valid_message(render_admins([]))
    assert_valid_message(render_admins([f"U{i:08d}" for i in range(500)]))


def test_sync_progress_running_finished_failed() -> None:
    counts = {"campaigns": 412, "ad_groups": 3120, "keywords": 28400}
    running = render_sync_progress(SyncProgressVM(Region.EU, 2, 3, counts))
    assert_valid_message(running)
    assert "2 of 3 marketplaces" in running["text"] and "`▓▓▓▓▓▓▓░░░` 67%" in joined(running["blocks"])
    done = render_sync_progress(
        SyncProgressVM(Region.EU, 3, 3, counts, days=30, finished=True, summary="Next: 10:42")
    )
    assert_valid_message(done)
    assert "3 marketplaces: 412 campaigns, 3,120 ad groups, 28,400 keywords, 30 days of performance" in (
        joined(done["blocks"])
    )
    failed = render_sync_progress(SyncProgressVM(Region.FE, 1, 2, {"campaigns": 1}, error=EVIL))
    assert_valid_message(failed)
    assert "stopped" in failed["text"] and "<!channel>" not in failed["text"]
    assert_valid_message(render_sync_progress(SyncProgressVM(Region.NA, 0, 0)))


def test_describe_counts() -> None:
    assert describe_counts({"keywords": 1, "campaigns": 2, "zebras": 3}, days=1) == (
        "2 campaigns, 1 keyword, 3 zebras, 1 day of performance"
    )
    assert describe_counts({}) == "nothing yet"


def cards() -> list[RegionCardVM]:
    url = "https://hilal.example/amazon/oauth/start"
    return [
        RegionCardVM(Region.NA, "North America", "connected", url, (("US", "Acme"),), SYNCED_AT, SYNCED_AT),
        RegionCardVM(
            Region.EU, "Europe", "reconnect_needed", url, (("DE", "Acme"),), warning="Grant revoked"
        ),
        RegionCardVM(Region.FE, "Far East", "not_connected", url),
    ]


def test_home_with_everything_fits_100_blocks() -> None:
    campaigns = page(0)
    worst = type(campaigns)(
        **{
            **{n: getattr(campaigns, n) for n in campaigns.__dataclass_fields__},
            "rows": tuple(long_row(i) for i in range(40)),
            "total": 900,
        }
    )
    view = render_home(HomeVM(cards(), worst, views(30)))
    assert_valid_view(view)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "and 20 more" in joined(view["blocks"])


def test_home_before_any_connection() -> None:
    view = render_home(HomeVM([RegionCardVM(r, "", "not_connected", "https://x") for r in Region]))
    assert_valid_view(view)
    text = joined(view["blocks"])
    assert "Connect a region" in text and "No saved views yet" in text
    assert check_view(view) == []
