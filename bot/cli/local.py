"""`hilal local reset` (start local mode fresh) and `hilal teams` (the team ids commands ask for).

Local mode keeps its database, key and stand-ins' state in one folder, `./.hilal-local/` unless
`--local-dir` or HILAL_LOCAL_DIR names another; `local_dir_option` gives every command that needs it
the same option.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.local_folder import DEFAULT_LOCAL_DIR, LocalFolder
from bot.settings import ConfigError, load_settings

__all__ = ["local_dir_option", "register"]

F = TypeVar("F", bound=Callable[..., Any])


def local_dir_option(fn: F) -> F:
    """``--local-dir`` (env HILAL_LOCAL_DIR): local mode's folder."""
    return click.option(
        "--local-dir",
        "local_dir",
        envvar="HILAL_LOCAL_DIR",
        default=DEFAULT_LOCAL_DIR,
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Local mode's folder (database, key, stand-ins' state); env HILAL_LOCAL_DIR.",
    )(fn)


@click.group("local")
def local() -> None:
    """Local mode's folder (what `make run` without Slack credentials remembers)."""


@local.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask (for scripts).")
@local_dir_option
def local_reset(yes: bool, local_dir: Path) -> None:
    """Start local mode fresh: delete its folder (connections, tags, notes, views, digests, messages)."""
    folder = LocalFolder.at(local_dir)
    if not folder.root.exists():
        click.echo(f"nothing to reset: {folder.root} does not exist")
        return
    if not yes:
        click.confirm(
            f"Delete {folder.root}: every local connection, tag, note, view, digest and console message?",
            abort=True,
        )
    folder.reset()
    click.echo(f"deleted {folder.root}; the next `make run` starts fresh")


@click.command("teams")
@local_dir_option
def teams(local_dir: Path) -> None:
    """List the Slack teams Hilal knows, with their ids and regions (for `hilal sync TEAM REGION`)."""
    from storage.db import check_database, make_engine, session_scope
    from storage.repositories.teams import list_all_connections, team_names

    settings = load_settings()
    url = settings.hilal_database_url
    if settings.local_mode:
        folder = LocalFolder.at(local_dir)
        if not folder.exists():
            raise ConfigError(f"local mode has not run from {folder.root} yet: start it with `make run`")
        url = folder.database_url
    engine = make_engine(url, pool_size=1)
    try:
        check_database(engine)
        with session_scope(engine, readonly=True) as session:
            names = team_names(session)
            connections = list_all_connections(session)
    finally:
        engine.dispose()
    regions: dict[str, list[str]] = {team: [] for team in names}
    for conn in connections:
        synced = conn.last_success_at
        when = f", last synced {synced.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if synced else ""
        status = conn.status.replace("_", " ")
        regions.setdefault(conn.team_id, []).append(f"{conn.region.upper()} {status}{when}")
    if not regions:
        click.echo("no team yet: run `/hilal connect REGION` in Slack")
        return
    for team, found in sorted(regions.items()):
        name = f" ({names[team]})" if names.get(team) else ""
        click.echo(f"{team}{name}: {'; '.join(found) or 'no region connected'}")


def register(cli: click.Group) -> None:
    """Add `hilal local` and `hilal teams` to the `hilal` command group."""
    cli.add_command(local)
    cli.add_command(teams)
