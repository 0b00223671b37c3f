"""`hilal local reset` and `hilal teams`, as an operator of local mode meets them."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.local import local_reset, teams
from bot.cli.sync import sync_command
from bot.local_folder import LocalFolder
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Connection, Workspace
from tests.local.stack import LocalHilal, port_of


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / ".hilal-local"


def _started_once(folder: Path) -> None:
    LocalHilal.start(folder).stop()


def test_reset_with_yes_removes_the_folder_and_nothing_else(folder: Path) -> None:
    _started_once(folder)
    neighbour = folder.parent / "notes.txt"
    neighbour.write_text("mine")

    result = CliRunner().invoke(local_reset, ["--yes", "--local-dir", str(folder)])

    assert result.exit_code == 0, result.output
    assert f"deleted {folder}" in result.stdout
    assert not folder.exists() and neighbour.read_text() == "mine"


def test_reset_asks_first_and_keeps_everything_on_no(folder: Path) -> None:
    _started_once(folder)

    result = CliRunner().invoke(local_reset, ["--local-dir", str(folder)], input="n\n")

    assert result.exit_code == 1 and "Delete" in result.output  # click's Abort
    assert (folder / "hilal.db").exists()


def test_after_reset_local_mode_starts_fresh(folder: Path) -> None:
    _started_once(folder)
    key = (folder / "secrets.json").read_text()
    CliRunner().invoke(local_reset, ["--yes", "--local-dir", str(folder)])

    _started_once(folder)

    assert (folder / "secrets.json").read_text() != key


def test_reset_refuses_while_local_mode_runs(folder: Path) -> None:
    hilal = LocalHilal.start(folder)
    try:
        result = CliRunner().invoke(local_reset, ["--yes", "--local-dir", str(folder)])
        assert result.exit_code != 0 and "stop it first" in str(result.exception)
        assert folder.exists()
    finally:
        hilal.stop()


def test_reset_refuses_a_folder_with_files_local_mode_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work")

    result = CliRunner().invoke(local_reset, ["--yes", "--local-dir", str(tmp_path)])

    assert result.exit_code != 0 and "not deleting it" in str(result.exception)
    assert (tmp_path / "thesis.tex").exists()


def test_reset_of_a_missing_folder_says_so(folder: Path) -> None:
    result = CliRunner().invoke(local_reset, ["--yes", "--local-dir", str(folder)])
    assert result.exit_code == 0 and "nothing to reset" in result.stdout


def test_teams_shows_the_demo_team_id_and_its_regions(folder: Path) -> None:
    _started_once(folder)
    engine = make_engine(LocalFolder.at(folder).database_url)
    with session_scope(engine) as session:
        session.add(Connection(team_id="T0DEMO", region="fe"))
        session.add(Connection(team_id="T0DEMO", region="na", status="disconnected"))
    engine.dispose()

    result = CliRunner().invoke(teams, ["--local-dir", str(folder)])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "T0DEMO: FE connected; NA disconnected"


def test_teams_outside_local_mode_reads_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'hilal.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Workspace(team_id="T0ACME", team_name="Acme"))
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HILAL_DATABASE_URL", url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")

    result = CliRunner().invoke(teams, [])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "T0ACME (Acme): no region connected"


def test_sync_before_local_mode_ever_ran_says_what_to_do(folder: Path) -> None:
    result = CliRunner().invoke(sync_command, ["T0DEMO", "fe", "--local-dir", str(folder)])
    assert result.exit_code != 0 and "start it with `make run`" in str(result.exception)


def test_a_port_held_by_another_program_is_replaced_by_a_free_one(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = LocalHilal.start(folder)
    app_port, console_port = port_of(first.app_url), port_of(first.console_url)
    first.stop()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", console_port))
        squatter.listen()
        with caplog.at_level(logging.WARNING, logger="bot.local"):
            second = LocalHilal.start(folder, port=app_port)
        try:
            assert port_of(second.console_url) != console_port
            assert f"Port {console_port} for the Slack console is in use" in caplog.text
        finally:
            second.stop()
