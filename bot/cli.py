"""The `hilal` command: the composition root and the only place that reads the environment.

Sub-commands: run, db upgrade, keys generate|rotate|status, sync, purge, sandbox, teams, local reset.
Any error an operator can cause ends in one line on stderr that says what to do (exit status 2).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli_local import local_dir_option
from bot.settings import ConfigError, Settings, load_settings
from storage.crypto import VaultError
from storage.db import DatabaseUnavailableError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


class OperatorError(Exception):
    """A problem the operator must fix; printed as one line."""


def _fail(message: str) -> None:
    click.echo(f"hilal: {message}", err=True)
    sys.exit(2)


def _settings() -> Settings:
    return load_settings()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hilal")
def cli() -> None:
    """Hilal: Amazon Ads in Slack."""


@cli.command()
@click.option("--host", default=None, help="Listen address (default HILAL_HOST).")
@click.option("--port", default=None, type=int, help="Listen port (default HILAL_PORT).")
@local_dir_option
def run(host: str | None, port: int | None, local_dir: Path) -> None:
    """Run the app: web server, Slack listeners and scheduler (local mode without Slack credentials)."""
    from bot.runtime import run_app

    run_app(_settings(), host=host, port=port, local_dir=local_dir)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from storage.db import check_database, make_engine
    from storage.migrate import current_revision, upgrade

    engine = make_engine(_settings().hilal_database_url)
    check_database(engine)
    upgrade(engine)
    click.echo(f"database at revision {current_revision(engine)}")


@cli.group()
def keys() -> None:
    """Encryption keys for stored tokens."""


@keys.command("generate")
@click.option("--kid", default=None, help="Key id (default: k + random hex).")
def keys_generate(kid: str | None) -> None:
    """Print a new kid:key line for HILAL_ENCRYPTION_KEYS (put it first to make it active)."""
    from storage.crypto import generate_key_line

    click.echo(generate_key_line(kid or f"k{secrets.token_hex(4)}"))


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored secret with the first key; idempotent, safe to re-run."""
    from storage.crypto import TokenCipher
    from storage.db import check_database, make_engine
    from storage.keys import count_by_kid, rotate_keys

    settings = _settings()
    if not settings.encryption_keys:
        raise ConfigError("HILAL_ENCRYPTION_KEYS is not set: nothing to rotate with")
    engine = make_engine(settings.hilal_database_url)
    check_database(engine)
    cipher = TokenCipher([(k.kid, k.key) for k in settings.encryption_keys])
    with click.progressbar(length=1, label="re-encrypting", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        result = rotate_keys(engine, cipher, on_progress=progress)
    click.echo(
        f"rotated {result.rotated}, already current {result.already_current}, "
        f"changed concurrently (re-run to finish) {result.skipped_concurrent}; "
        f"now by key id: {count_by_kid(engine)}"
    )


@keys.command("status")
def keys_status() -> None:
    """How many stored secrets each key id protects."""
    from storage.db import check_database, make_engine
    from storage.keys import count_by_kid

    engine = make_engine(_settings().hilal_database_url)
    check_database(engine)
    click.echo(str(count_by_kid(engine)))


def _register_more() -> None:
    """Sub-commands that live in their own modules (purge, sandbox, sync, teams, local)."""
    from bot import cli_local, cli_ops, cli_sync

    cli_ops.register(cli)
    cli_sync.register(cli)
    cli_local.register(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `hilal` console script."""
    _register_more()
    try:
        cli.main(args=argv, prog_name="hilal", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted")
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ConfigError, DatabaseUnavailableError, VaultError, OperatorError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
