"""Local mode's folder (`./.hilal-local/` by default): everything a local run keeps across restarts.

    .hilal-local/                 mode 0700
      hilal.db                    the SQLite database (plus -wal and -shm while open)
      secrets.json                0600: the encryption key and the stand-ins' secrets
      amazon-simulator.json       0600: the simulator's grants, tokens, reports (`sandbox.amazon.persist`)
      slack-standin.json          0600: the Slack stand-in's workspace and messages (`sandbox.slack.persist`)
      ports.json                  the ports the last run listened on, tried first next time
      running.json                while a run is up: its process id and the stand-ins' URLs

Nothing here imports `sandbox`; `bot.local` starts the stand-ins.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.settings import ConfigError
from storage.crypto import generate_key_line

__all__ = ["DEFAULT_LOCAL_DIR", "LocalFolder", "LocalRun", "LocalSecrets"]

DEFAULT_LOCAL_DIR = ".hilal-local"
DATABASE = "hilal.db"
SECRETS = "secrets.json"
AMAZON_STATE = "amazon-simulator.json"
SLACK_STATE = "slack-standin.json"
PORTS = "ports.json"
RUNNING = "running.json"
_OURS = frozenset(
    {DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", SECRETS, AMAZON_STATE, SLACK_STATE, PORTS, RUNNING}
)


@dataclass(frozen=True, repr=False)
class LocalSecrets:
    """The encryption key line and the stand-ins' secrets of one local folder (never in repr)."""

    encryption_keys: str
    slack_signing_secret: str
    amazon_client_secret: str

    def __repr__(self) -> str:
        return "LocalSecrets(**********)"


@dataclass(frozen=True)
class LocalRun:
    """A running local mode: its process and the settings (without secrets) that reach its stand-ins."""

    pid: int
    console_url: str
    env: dict[str, str]


def _write_private(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` to ``path`` readable only by its owner (0600), atomically unless ``exclusive``."""
    if exclusive:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise ConfigError(f"{path} cannot be read: start fresh with `hilal local reset`") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is damaged: start fresh with `hilal local reset`")
    return data


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, but not a run of ours
        return False
    return True


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=2):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class LocalFolder:
    """One local mode folder; see the module docstring for its files."""

    root: Path

    @classmethod
    def at(cls, path: str | Path | None) -> LocalFolder:
        """The folder at ``path`` (default `./.hilal-local`), as an absolute path."""
        return cls(Path(path or DEFAULT_LOCAL_DIR).expanduser().absolute())

    @property
    def database(self) -> Path:
        return self.root / DATABASE

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def amazon_state(self) -> Path:
        return self.root / AMAZON_STATE

    @property
    def slack_state(self) -> Path:
        return self.root / SLACK_STATE

    def exists(self) -> bool:
        """Whether a local run has left anything here (its key, at least)."""
        return (self.root / SECRETS).is_file()

    def create(self) -> None:
        """Create the folder (0700, readable only by its owner); tighten it if it exists."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def secrets(self) -> LocalSecrets:
        """The folder's secrets, created on first use (file mode 0600)."""
        path = self.root / SECRETS
        data = _read_json(path)
        if data is None:
            data = {
                "encryption_keys": generate_key_line("local"),
                "slack_signing_secret": secrets.token_hex(16),
                "amazon_client_secret": secrets.token_hex(16),
            }
            with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
                _write_private(path, json.dumps(data, indent=2) + "\n", exclusive=True)
            data = _read_json(path) or data
        os.chmod(path, 0o600)
        try:
            return LocalSecrets(
                encryption_keys=str(data["encryption_keys"]),
                slack_signing_secret=str(data["slack_signing_secret"]),
                amazon_client_secret=str(data["amazon_client_secret"]),
            )
        except KeyError:
            raise ConfigError(f"{path} is damaged: start fresh with `hilal local reset`") from None

    def ports(self) -> dict[str, int]:
        """The ports of the last run (``app``, ``console``, ``amazon``), or nothing."""
        data = _read_json(self.root / PORTS) or {}
        return {name: int(port) for name, port in data.items() if isinstance(port, int)}

    def save_ports(self, ports: dict[str, int]) -> None:
        _write_private(self.root / PORTS, json.dumps(ports, indent=2) + "\n")

    def running(self) -> LocalRun | None:
        """The local run using this folder now, if any (a stale record of a crashed run is ignored)."""
        data = _read_json(self.root / RUNNING)
        if data is None:
            return None
        try:
            run = LocalRun(pid=int(data["pid"]), console_url=str(data["console_url"]), env=dict(data["env"]))
        except (KeyError, TypeError, ValueError):  # a damaged record: no run can be reached through it
            return None
        if _alive(run.pid) and _answers(run.console_url):
            return run
        return None

    def claim(self, run: LocalRun) -> None:
        """Record ``run`` as the folder's running local mode.

        Raises:
            ConfigError: another local run uses the folder.
        """
        other = self.running()
        if other is not None:
            raise ConfigError(
                f"local mode is already running from {self.root} (process {other.pid}, console "
                f"{other.console_url}); stop it first"
            )
        record = {"pid": run.pid, "console_url": run.console_url, "env": run.env}
        _write_private(self.root / RUNNING, json.dumps(record, indent=2) + "\n")

    def release(self, pid: int) -> None:
        """Forget the running record, if it is ``pid``'s."""
        with contextlib.suppress(ConfigError, KeyError, ValueError, TypeError):
            data = _read_json(self.root / RUNNING)
            if data is not None and int(data["pid"]) == pid:
                (self.root / RUNNING).unlink(missing_ok=True)

    def reset(self) -> bool:
        """Delete the folder; False when there was nothing to delete.

        Raises:
            ConfigError: local mode is running from it, or it holds files that are not local mode's.
        """
        if not self.root.exists():
            return False
        run = self.running()
        if run is not None:
            raise ConfigError(f"local mode is running from {self.root} (process {run.pid}); stop it first")
        strangers = sorted(
            p.name for p in self.root.iterdir() if p.name not in _OURS and not p.name.endswith(".tmp")
        )
        if strangers:
            raise ConfigError(
                f"{self.root} holds files local mode did not write ({', '.join(strangers[:3])}); "
                "not deleting it"
            )
        shutil.rmtree(self.root)
        return True
