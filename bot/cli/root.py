"""The `hilal` command group, `hilal run`, and `main`, which ends every operator error in one line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli import cluster, database, local, ops, sync
from bot.cli.local import local_dir_option
from bot.settings import ConfigError, load_settings
from storage.crypto import VaultError
from storage.db import DatabaseUnavailableError

__all__ = ["OperatorError", "cli", "main"]


class OperatorError(Exception):
    """A problem the operator must fix; printed as one line."""


def _fail(message: str) -> None:
    click.echo(f"hilal: {message}", err=True)
    sys.exit(2)


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

    run_app(load_settings(), host=host, port=port, local_dir=local_dir)


def _register_commands() -> None:
    """Sub-commands that live in their own modules (db, keys, purge, sandbox, sync, teams, local, worker,
    jobs)."""
    database.register(cli)
    cluster.register(cli)
    ops.register(cli)
    sync.register(cli)
    local.register(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `hilal` console script."""
    _register_commands()
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
