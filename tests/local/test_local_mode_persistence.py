"""Issue 13, "Local mode remembers": stopping and starting local mode again resumes where it stopped.

Same connections, tags, notes, views and digests; stand-ins that still honour the tokens and show the
messages they handed out; the same ports although the last run's sockets linger in TIME_WAIT; and
`hilal sync` works against the running local mode and against the saved state alone.
"""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from bot.cli.sync import sync_command
from bot.services.connections import save_selection
from bot.services.sync import run_sync
from bot.settings import ConfigError
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import session_scope
from storage.models import Campaign, Connection, DigestSubscription, Note, Profile, SavedView, Tag
from tests.local.stack import LocalHilal, leave_time_wait, port_of


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / ".hilal-local"


def _set_up_fe(hilal: LocalHilal) -> Campaign:
    """Connect FE, tick JP and AU, sync, and return a JP campaign."""
    hilal.connect("fe")
    slack = hilal.slack
    assert slack.wait_for(lambda: any("marketplace" in m.text.lower() for m in slack.messages("D0ADMIN")))
    services = hilal.runtime.services
    with session_scope(services.engine, readonly=True) as session:
        picked = {
            p.profile_id
            for p in session.exec(select(Profile)).all()
            if p.country_code in ("JP", "AU") and p.account_name == "Demo Seller"
        }
    connection_id = save_selection(
        services, team_id=DEMO_TEAM, region="fe", profile_ids=picked, user_id=DEMO_ADMIN
    )
    assert run_sync(services, connection_id=connection_id, kind="initial").status == "success"
    with session_scope(services.engine, readonly=True) as session:
        profile_pks = [p.id for p in session.exec(select(Profile)).all() if p.country_code == "JP"]
        return next(c for c in session.exec(select(Campaign)).all() if c.profile_pk in profile_pks)


def _annotate(hilal: LocalHilal, campaign: Campaign) -> None:
    assert "launch" in hilal.command(f"tag {campaign.campaign_id} launch")
    hilal.command(f"note {campaign.campaign_id} Raise bids before Golden Week")
    hilal.command("campaigns region fe")
    assert "fe-daily" in hilal.command("view save fe-daily")
    hilal.command("digest subscribe at 09:00 Asia/Tokyo")


def _remembered(hilal: LocalHilal) -> dict[str, object]:
    with session_scope(hilal.runtime.services.engine, readonly=True) as session:
        return {
            "connections": [(c.region, c.status) for c in session.exec(select(Connection)).all()],
            "selected": sorted(p.country_code for p in session.exec(select(Profile)).all() if p.selected),
            "campaigns": len(session.exec(select(Campaign)).all()),
            "tags": [t.tag for t in session.exec(select(Tag)).all()],
            "notes": [n.text for n in session.exec(select(Note)).all()],
            "views": [v.name for v in session.exec(select(SavedView)).all()],
            "digests": [(d.channel_id, d.local_time) for d in session.exec(select(DigestSubscription)).all()],
        }


def _in_time_wait(port: int) -> bool:
    """A bind without SO_REUSEADDR fails while the port has a connection in TIME_WAIT."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def test_a_restart_resumes_everything_on_the_same_ports_and_syncs(folder: Path) -> None:
    first = LocalHilal.start(folder)
    try:
        campaign = _set_up_fe(first)
        _annotate(first, campaign)
        before = _remembered(first)
        dm_before = [m.id for m in first.slack.messages("D0ADMIN")]
        urls = {"app": first.app_url, "console": first.console_url, "amazon": first.amazon.base_url}
        for url in urls.values():
            leave_time_wait(url)
    finally:
        first.stop()
    assert _in_time_wait(port_of(urls["console"])) and _in_time_wait(port_of(urls["amazon"]))

    second = LocalHilal.start(folder, port=port_of(urls["app"]))
    try:
        assert {
            "app": second.app_url,
            "console": second.console_url,
            "amazon": second.amazon.base_url,
        } == urls
        assert _remembered(second) == before
        assert before["tags"] == ["launch"] and before["views"] == ["fe-daily"] and before["digests"]
        assert [m.id for m in second.slack.messages("D0ADMIN")] == dm_before  # the console shows the history
        assert "fe-daily" in second.command("view list")
        assert "09:00" in second.command("digest list")
        synced = CliRunner().invoke(sync_command, ["T0DEMO", "fe", "--local-dir", str(folder)])
        assert synced.exit_code == 0, synced.output  # with the access token the last run was given
        assert "synced T0DEMO FE" in synced.stdout
        second.amazon.advance(2 * 3600)  # that token expires: Hilal refreshes with the saved refresh token
        synced = CliRunner().invoke(sync_command, ["T0DEMO", "fe", "--local-dir", str(folder)])
        assert synced.exit_code == 0, synced.output
        refreshes = [r.form() for r in second.amazon.requests if r.path == "/auth/o2/token"]
        assert [f["grant_type"] for f in refreshes] == ["refresh_token"]
    finally:
        second.stop()
    assert _remembered_after_stop(folder) == [("fe", "connected")]


def _remembered_after_stop(folder: Path) -> list[tuple[str, str]]:
    from storage.db import make_engine

    engine = make_engine(f"sqlite:///{folder / 'hilal.db'}")
    try:
        with session_scope(engine, readonly=True) as session:
            return [(c.region, c.status) for c in session.exec(select(Connection)).all()]
    finally:
        engine.dispose()


def test_hilal_sync_works_from_the_saved_state_while_local_mode_is_stopped(folder: Path) -> None:
    hilal = LocalHilal.start(folder)
    try:
        _set_up_fe(hilal)
    finally:
        hilal.stop()

    result = CliRunner().invoke(sync_command, ["T0DEMO", "FE", "--local-dir", str(folder)])

    assert result.exit_code == 0, result.output
    assert "synced T0DEMO FE (manual)" in result.stdout
    assert not (folder / "running.json").exists()  # the command's stand-ins are gone again
    again = LocalHilal.start(folder)  # and local mode starts normally afterwards
    again.stop()


def test_the_folder_and_its_secrets_are_readable_only_by_their_owner(folder: Path) -> None:
    hilal = LocalHilal.start(folder)
    hilal.stop()

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("secrets.json", "amazon-simulator.json", "slack-standin.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert "local:" in (folder / "secrets.json").read_text()


def test_the_same_key_decrypts_after_a_restart(folder: Path) -> None:
    first = LocalHilal.start(folder)
    key = first.runtime.settings.hilal_encryption_keys
    first.stop()
    second = LocalHilal.start(folder)
    try:
        assert key is not None and second.runtime.settings.hilal_encryption_keys == key
    finally:
        second.stop()


def test_a_second_local_mode_on_the_same_folder_is_refused(folder: Path) -> None:
    hilal = LocalHilal.start(folder)
    try:
        with pytest.raises(ConfigError, match="already running"):
            LocalHilal.start(folder)
        assert hilal.slack.calls() is not None  # the running one is untouched
    finally:
        hilal.stop()


def test_a_damaged_state_file_says_how_to_start_fresh(folder: Path) -> None:
    LocalHilal.start(folder).stop()
    (folder / "amazon-simulator.json").write_text("{not json")

    with pytest.raises(ConfigError, match="hilal local reset"):
        LocalHilal.start(folder)
