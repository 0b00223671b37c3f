"""Local mode: the Slack stand-in (with its browser console) and the Amazon simulator on loopback.

`start_local_stack(settings)` starts both, seeds the demo account, and returns settings that point the
app at them (bot token, signing secret, Slack API URL, Amazon client and endpoints, a throw-away key and
a fresh SQLite file in the working directory). From there on the app cannot tell it is local.
Only the composition root imports this module (and `sandbox`), lazily.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings
from storage.crypto import generate_key_line

__all__ = ["LocalStack", "start_local_stack"]

LOCAL_DB = "hilal-local.db"


def _free_port(preferred: int, host: str) -> int:
    with socket.socket() as sock:
        try:
            sock.bind((host, preferred))
        except OSError:
            sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalStack:
    settings: Settings
    console_url: str
    stoppers: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        for server in self.stoppers:
            with contextlib.suppress(Exception):
                server.stop()


def start_local_stack(
    base: Settings, *, db_dir: Path | None = None, app_port: int | None = None
) -> LocalStack:
    """Start the stand-ins and derive the settings of a local run."""
    from sandbox.amazon import AmazonSimulator, SimConfig
    from sandbox.slack import DEMO_BOT_TOKEN, SlackStandIn

    host = base.hilal_host
    port = app_port if app_port is not None else base.hilal_port
    public_url = f"http://{host}:{port}"
    signing_secret = secrets.token_hex(16)
    client_id, client_secret = "amzn1.application-oa2-client.hilal-local", secrets.token_hex(16)
    sim = AmazonSimulator(
        SimConfig(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=(f"{public_url}/amazon/oauth/callback",),
            seed=7,
        )
    )
    sim.seed_demo()
    sim.start(host=host, port=_free_port(port + 2, host))
    slack = SlackStandIn.with_demo_workspace(port=_free_port(port + 1, host))
    slack.start()
    slack.configure_app(request_url=f"{public_url}/slack/events", signing_secret=signing_secret)
    db_path = (db_dir or Path.cwd()) / LOCAL_DB
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    env = {
        "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": slack.api_url,
        "AMAZON_ADS_CLIENT_ID": client_id,
        "AMAZON_ADS_CLIENT_SECRET": client_secret,
        "HILAL_AMAZON_REVOKE_URL": sim.revoke_url,
        "HILAL_DATABASE_URL": f"sqlite:///{db_path}",
        "HILAL_ENCRYPTION_KEYS": generate_key_line("local"),
        "HILAL_PUBLIC_URL": public_url,
        "HILAL_HOST": host,
        "HILAL_PORT": str(port),
        "LOG_LEVEL": base.log_level,
        "LOG_FORMAT": base.log_format,
        "HILAL_ADMIN_USER_IDS": base.hilal_admin_user_ids,
    }
    for region in ("na", "eu", "fe"):
        for key, url in sim.region_urls(region).items():
            env[f"HILAL_AMAZON_{region.upper()}_{key.upper()}"] = url
    return LocalStack(settings=load_settings(env), console_url=slack.base_url + "/", stoppers=[slack, sim])
