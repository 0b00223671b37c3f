"""manifest.yml matches what the app registers, and stays within Slack's manifest limits."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.app import BOT_SCOPES
from bot.features import load_features

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_slash_command_and_usage_hint():
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/hilal"
    assert len(command["usage_hint"]) <= 1000 and len(command["description"]) <= 2000
    assert command["url"].endswith("/slack/events")


def test_events_and_interactivity_point_at_the_one_request_url():
    settings = MANIFEST["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    }


def test_scopes_are_what_the_app_requests_on_install():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_app_home_and_limits():
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    info = MANIFEST["display_information"]
    assert (
        len(info["name"]) <= 35 and len(info["description"]) <= 140 and len(info["long_description"]) <= 4000
    )


def test_every_feature_command_is_documented_in_help_and_unique():
    names = [spec.name for feature in load_features() for spec in feature.commands]
    assert len(names) == len(set(names))
    assert {"connect", "regions", "marketplaces", "sync", "disconnect", "admins"} <= set(names)


def test_channel_and_user_mentions_arrive_escaped():
    # `/hilal digest subscribe #ppc` and `/hilal admins add @dana` need <#C…|ppc> and <@U…|dana>.
    assert MANIFEST["features"]["slash_commands"][0]["should_escape"] is True
