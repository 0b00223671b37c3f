"""`hilal sync TEAM REGION`: one sync now with a progress bar on stderr; errors in one line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from bot.cli.sync import register
from tests.sync.world import World


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """hilal"""

    register(group)
    return group


@pytest.fixture
def env(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in world.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HILAL_DATABASE_URL", world.engine.url.render_as_string(hide_password=False))
    database = world.engine.url.database
    assert database is not None
    monkeypatch.chdir(database.rsplit("/", 1)[0])  # no stray .env


def test_hilal_sync_runs_one_sync_with_a_progress_bar(world: World, cli: click.Group, env: None) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()

    result = CliRunner().invoke(cli, ["sync", "T0DEMO", "NA"])

    assert result.exit_code == 0, result.output
    assert "synced T0DEMO NA (initial)" in result.stdout and "campaigns" in result.stdout
    assert "Syncing T0DEMO NA" in result.stderr
    world.assert_matches_truth(conn_id, metrics=False)  # the command runs on the real clock


def test_hilal_sync_of_an_unknown_connection_says_so_in_one_line(
    world: World, cli: click.Group, env: None
) -> None:
    result = CliRunner().invoke(cli, ["sync", "T0NOPE", "eu"])

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: team T0NOPE has no EU connection; connect it in Slack first"


def test_hilal_sync_of_an_unknown_region_says_so(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["sync", "T0DEMO", "mars"])

    assert result.exit_code == 1 and "Unknown Amazon Ads region 'mars'" in result.stderr
