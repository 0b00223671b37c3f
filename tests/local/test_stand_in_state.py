"""The stand-ins keep their world in a state file: a restarted one honours what the last one handed out."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient

from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.slack import DEMO_BOT_TOKEN, SlackStandIn
from sandbox.statefile import AutoSaver, StateFile, StateFileError

CONFIG = SimConfig(client_id="amzn1.application-oa2-client.test", client_secret="sim-secret")
REDIRECT = "http://127.0.0.1:3000/amazon/oauth/callback"


def _grant(sim: AmazonSimulator) -> dict[str, str]:
    """Consent (Allow) and the code exchange, as Hilal's callback does; returns the token response."""
    urls = sim.region_urls("fe")
    consent = httpx.URL(urls["auth_url"]).copy_merge_params(
        {
            "client_id": CONFIG.client_id,
            "scope": "advertising::campaign_management",
            "response_type": "code",
            "redirect_uri": REDIRECT,
        }
    )
    code = httpx.URL(sim.approve(str(consent))).params["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    return _token(sim, form)


def _token(sim: AmazonSimulator, form: dict[str, str]) -> dict[str, str]:
    body = {**form, "client_id": CONFIG.client_id, "client_secret": CONFIG.client_secret}
    answer = httpx.post(sim.region_urls("fe")["token_url"], data=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _profiles(sim: AmazonSimulator, access_token: str) -> httpx.Response:
    return httpx.get(
        sim.region_urls("fe")["api_url"] + "/v2/profiles",
        headers={
            "Authorization": f"Bearer {access_token}",
            "Amazon-Advertising-API-ClientId": CONFIG.client_id,
        },
    )


def _simulator(path: Path) -> AmazonSimulator:
    sim = AmazonSimulator(CONFIG, state_file=path)
    sim.allow_redirect_uri(REDIRECT)
    sim.seed_demo()
    return sim.start()


def test_a_restarted_simulator_honours_its_refresh_and_access_tokens(tmp_path: Path) -> None:
    path = tmp_path / "amazon.json"
    first = _simulator(path)
    tokens = _grant(first)
    profiles = _profiles(first, tokens["access_token"]).json()
    first.stop()

    second = _simulator(path)
    try:
        assert _profiles(second, tokens["access_token"]).json() == profiles
        refreshed = _token(second, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        assert refreshed["refresh_token"] == tokens["refresh_token"]
        assert _profiles(second, refreshed["access_token"]).status_code == 200
    finally:
        second.stop()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_revoked_grant_stays_revoked_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "amazon.json"
    first = _simulator(path)
    tokens = _grant(first)
    first.revoke_grant(tokens["refresh_token"])
    first.stop()

    second = _simulator(path)
    try:
        body = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        answer = httpx.post(
            second.region_urls("fe")["token_url"],
            data={**body, "client_id": CONFIG.client_id, "client_secret": CONFIG.client_secret},
        )
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    finally:
        second.stop()


def test_save_writes_the_grants_while_the_simulator_serves(tmp_path: Path) -> None:
    path = tmp_path / "amazon.json"
    sim = _simulator(path)
    try:
        tokens = _grant(sim)
        sim.save()
        saved = json.loads(path.read_text())["state"]
        assert [g["refresh_token"] for g in saved["grants"]] == [tokens["refresh_token"]]
    finally:
        sim.stop()


class _WatchedFile(StateFile):
    """A state file that tells when it was written (the saver writes from its own thread)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, kind="test", version=1)
        self.written = threading.Event()

    def write_text(self, text: str) -> None:
        super().write_text(text)
        self.written.set()


def test_the_saver_writes_after_a_poke_in_its_own_thread_and_skips_unchanged_state(tmp_path: Path) -> None:
    file = _WatchedFile(tmp_path / "state.json")
    world = {"grants": ["Atzr|one"]}
    saver = AutoSaver(file, lambda: dict(world)).start()
    try:
        saver.poke()
        assert file.written.wait(timeout=10)
        assert file.read() == {"grants": ["Atzr|one"]}
        file.written.clear()
        saver.flush()  # nothing changed: nothing written
        assert not file.written.is_set()
        world["grants"] = ["Atzr|one", "Atzr|two"]
    finally:
        saver.stop()  # the last word is written on stop
    assert file.read() == {"grants": ["Atzr|one", "Atzr|two"]}


def test_an_unreadable_state_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "amazon.json"
    path.write_text(json.dumps({"kind": "slack-standin", "version": 1, "state": {}}))
    with pytest.raises(StateFileError, match="does not hold a saved amazon-simulator"):
        AmazonSimulator(CONFIG, state_file=path)


def test_a_restarted_slack_stand_in_keeps_channels_messages_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "slack.json"
    first = SlackStandIn.with_demo_workspace(state_file=path).start()
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=first.api_url)
    posted = client.chat_postMessage(channel="#ppc", text="Syncing FE…")
    dm = client.conversations_open(users="U0MEMBER")["channel"]["id"]
    client.chat_postMessage(channel=dm, text="Pick your marketplaces")
    first.stop()

    second = SlackStandIn.with_demo_workspace(state_file=path).start()
    try:
        client = WebClient(token=DEMO_BOT_TOKEN, base_url=second.api_url)
        client.chat_update(channel=posted["channel"], ts=posted["ts"], text="FE is synced")  # edits by ts
        newer = client.chat_postMessage(channel="#ppc", text="Digest")
        assert [m.text for m in second.messages("#ppc")] == ["FE is synced", "Digest"]
        assert [m.text for m in second.messages(dm)] == ["Pick your marketplaces"]
        ids = [m.id for m in second.messages("#ppc")]
        assert len(set(ids)) == 2 and float(newer["ts"]) > float(posted["ts"])
        assert len(second.workspace("T0DEMO").users) == 2  # the demo team is not added twice
    finally:
        second.stop()
