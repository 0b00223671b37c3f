"""Local mode: the Slack stand-in (with its browser console) and the Amazon simulator on loopback.

`start_local_stack(settings)` starts both from what local mode's folder (`./.hilal-local/`, see
`bot.local_folder`) remembers, and returns settings that point the app at them: bot token, signing
secret, Slack API URL, Amazon client and endpoints, the folder's key and SQLite database. From there on
the app cannot tell it is local. Stopping and starting again resumes the same connections, tags, notes,
views and digests, against stand-ins that still know the tokens and messages they handed out, on the
same ports (the servers bind with SO_REUSEADDR, so a port the last run left in TIME_WAIT is reused).

`local_settings(settings)` gives one-off commands (`hilal sync`) the same settings: the running local
mode's stand-ins when one is up, else stand-ins started from the saved state for the command's duration.
Only the composition root imports this module (and `sandbox`), lazily.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.amazon.regions import ALL_REGIONS
from bot.local_folder import LocalFolder, LocalRun, LocalSecrets
from bot.schema import ensure_schema
from bot.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sandbox.amazon import AmazonSimulator
    from sandbox.slack import SlackStandIn

__all__ = ["LocalStack", "local_settings", "start_local_stack"]

logger = logging.getLogger(__name__)

CLIENT_ID = "amzn1.application-oa2-client.hilal-local"
T = TypeVar("T")


@dataclass
class LocalStack:
    """The running stand-ins of one local run, and the settings that reach them."""

    settings: Settings
    console_url: str
    folder: LocalFolder
    slack: SlackStandIn
    amazon: AmazonSimulator
    _stopped: list[bool] = field(default_factory=list)

    def stop(self) -> None:
        """Stop both stand-ins (each writes its state file one last time) and release the folder."""
        if self._stopped:
            return
        self._stopped.append(True)
        for server in (self.slack, self.amazon):
            try:
                server.stop()
            except Exception:  # stopping is best effort: the other one must still save its state
                logger.exception("local.stop_failed", extra={"part": type(server).__name__})
        self.folder.release(os.getpid())


def _preferred_ports(folder: LocalFolder, app_port: int, *, ephemeral: bool) -> tuple[int, int]:
    """Console and simulator ports to try: the last run's for the same app port, else the next two."""
    if ephemeral or app_port == 0:
        return 0, 0
    saved = folder.ports()
    if saved.get("app") == app_port:
        return saved.get("console", 0), saved.get("amazon", 0)
    return (app_port + 1, app_port + 2) if app_port < 65534 else (0, 0)


def _start_on(start: Callable[[int], T], port: int, what: str) -> T:
    """Start on ``port``; when another program holds it, on a free port (said in a warning)."""
    try:
        return start(port)
    except OSError:
        if port == 0:
            raise
        logger.warning("Port %s for the %s is in use; using a free port this time", port, what)
        return start(0)


def _env(
    base: Settings, *, folder: LocalFolder, public_url: str, slack: SlackStandIn, amazon: AmazonSimulator
) -> dict[str, str]:
    """The settings of a local run, secrets left out."""
    from sandbox.slack import DEMO_BOT_TOKEN

    env = {
        "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "AMAZON_ADS_CLIENT_ID": CLIENT_ID,
        "HILAL_AMAZON_REVOKE_URL": amazon.revoke_url,
        "HILAL_DATABASE_URL": folder.database_url,
        "HILAL_PUBLIC_URL": public_url,
        "HILAL_HOST": base.hilal_host,
        "HILAL_PORT": str(_port(public_url)),
        "LOG_LEVEL": base.log_level,
        "LOG_FORMAT": base.log_format,
        "HILAL_ADMIN_USER_IDS": base.hilal_admin_user_ids,
    }
    for region in ALL_REGIONS:
        for key, url in amazon.region_urls(region).items():
            env[f"HILAL_AMAZON_{region.upper()}_{key.upper()}"] = url
    return env


def _secret_env(secrets: LocalSecrets) -> dict[str, str]:
    return {
        "SLACK_SIGNING_SECRET": secrets.slack_signing_secret,
        "AMAZON_ADS_CLIENT_SECRET": secrets.amazon_client_secret,
        "HILAL_ENCRYPTION_KEYS": secrets.encryption_keys,
    }


def _start_stand_ins(
    base: Settings, *, folder: LocalFolder, secrets: LocalSecrets, public_url: str, ports: tuple[int, int]
) -> tuple[SlackStandIn, AmazonSimulator]:
    from sandbox.amazon import AmazonSimulator, SimConfig
    from sandbox.slack import SlackStandIn
    from sandbox.statefile import StateFileError

    config = SimConfig(
        client_id=CLIENT_ID,
        client_secret=secrets.amazon_client_secret,
        redirect_uris=(f"{public_url}/amazon/oauth/callback",),
        seed=7,
    )
    host = base.hilal_host

    def start_amazon(port: int) -> AmazonSimulator:
        sim = AmazonSimulator(config, state_file=folder.amazon_state)
        sim.seed_demo()  # a restored simulator already holds the demo account: nothing changes
        return sim.start(host=host, port=port)

    def start_slack(port: int) -> SlackStandIn:
        return SlackStandIn.with_demo_workspace(host=host, port=port, state_file=folder.slack_state).start()

    try:
        amazon = _start_on(start_amazon, ports[1], "Amazon simulator")
        try:
            slack = _start_on(start_slack, ports[0], "Slack console")
        except BaseException:
            amazon.stop()
            raise
    except StateFileError as exc:
        raise ConfigError(f"{exc}; start fresh with `hilal local reset`") from None
    return slack, amazon


def start_local_stack(
    base: Settings, *, folder: Path | None = None, app_port: int | None = None, ephemeral: bool = False
) -> LocalStack:
    """Start the stand-ins from the folder's saved state and derive the settings of a local run.

    Args:
        base: the settings read from the environment (host, port, log and admin settings are kept).
        folder: local mode's folder (default `./.hilal-local`); created on first use.
        app_port: the port Hilal listens on (default `HILAL_PORT`).
        ephemeral: listen on free ports and leave the remembered ports alone (one-off commands).

    Raises:
        ConfigError: another local run uses the folder, or its saved state cannot be loaded.
    """
    local = LocalFolder.at(folder)
    local.create()
    running = local.running()
    if running is not None:
        raise ConfigError(
            f"local mode is already running from {local.root} (process {running.pid}, console "
            f"{running.console_url}); stop it first"
        )
    secrets = local.secrets()
    port = app_port if app_port is not None else base.hilal_port
    public_url = f"http://{base.hilal_host}:{port}"
    ports = _preferred_ports(local, port, ephemeral=ephemeral)
    slack, amazon = _start_stand_ins(base, folder=local, secrets=secrets, public_url=public_url, ports=ports)
    env = _env(base, folder=local, public_url=public_url, slack=slack, amazon=amazon)
    stack = LocalStack(
        settings=load_settings({**env, **_secret_env(secrets)}),
        console_url=slack.base_url + "/",
        folder=local,
        slack=slack,
        amazon=amazon,
    )
    try:
        local.claim(LocalRun(pid=os.getpid(), console_url=stack.console_url, env=env))
        slack.configure_app(
            request_url=f"{public_url}/slack/events", signing_secret=secrets.slack_signing_secret
        )
        if not ephemeral:
            local.save_ports(
                {"app": port, "console": _port(slack.base_url), "amazon": _port(amazon.base_url)}
            )
    except BaseException:
        stack.stop()
        raise
    return stack


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@contextlib.contextmanager
def local_settings(base: Settings, *, folder: Path | None = None) -> Iterator[Settings]:
    """Settings that reach local mode's database, key and stand-ins, for a one-off command.

    When local mode is running from the folder, its stand-ins answer; otherwise stand-ins are started
    here from the saved state (on free ports) and stopped, saving what changed, when the block ends.

    Raises:
        ConfigError: local mode has never run from the folder, or its saved state cannot be loaded.
    """
    local = LocalFolder.at(folder)
    if not local.exists():
        raise ConfigError(f"local mode has not run from {local.root} yet: start it with `make run`")
    running = local.running()
    if running is not None:
        yield load_settings({**running.env, **_secret_env(local.secrets())})
        return
    stack = start_local_stack(base, folder=local.root, ephemeral=True)
    try:
        ensure_schema(stack.settings, auto_upgrade=True)
        yield stack.settings
    finally:
        stack.stop()
