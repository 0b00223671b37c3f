"""`hilal sync TEAM REGION`: run one sync now, with a progress bar on stderr (for operators and debugging).

The lead wires it with `register(cli)`. Errors end in one clear line.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.local import local_dir_option

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["register", "sync_command"]


@click.command("sync")
@click.argument("team")
@click.argument("region")
@click.option(
    "--kind",
    type=click.Choice(["auto", "initial", "manual", "active", "archived", "reports"]),
    default="auto",
    show_default=True,
    help="auto: initial until a first sync succeeded, then manual (everything, plus due reports).",
)
@local_dir_option
def sync_command(team: str, region: str, kind: str, local_dir: Path) -> None:
    """Sync TEAM's REGION (na, eu or fe) with Amazon once, now.

    Without Slack credentials this is local mode's team: the command uses local mode's folder, and the
    running local mode's Amazon simulator (or, when none runs, one started from the folder's saved state).
    """
    from bot.amazon.regions import Region
    from bot.settings import load_settings
    from bot.wiring import build_services

    try:
        code = Region.parse(region).value
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with contextlib.ExitStack() as stack:
        settings = load_settings()
        if settings.local_mode:
            from bot.local import local_settings

            settings = stack.enter_context(local_settings(settings, folder=local_dir))
        services = build_services(settings)
        try:
            _sync(services, team=team, code=code, kind=kind)
        finally:
            services.background.shutdown(wait=False)
            services.amazon.http.close()
            services.engine.dispose()


def _sync(services: Services, *, team: str, code: str, kind: str) -> None:
    from bot.services.sync import run_sync
    from storage.db import check_database, session_scope
    from storage.repositories.connections import get_connection

    check_database(services.engine)
    with session_scope(services.engine, readonly=True) as session:
        conn = get_connection(session, team_id=team, region=code)
    if conn is None or conn.id is None:
        raise click.ClickException(f"team {team} has no {code.upper()} connection; connect it in Slack first")
    if conn.status != "connected":
        raise click.ClickException(f"{code.upper()} of team {team} is {conn.status.replace('_', ' ')}")
    chosen = kind if kind != "auto" else ("initial" if conn.last_success_at is None else "manual")
    with click.progressbar(length=1, label=f"Syncing {team} {code.upper()}", file=sys.stderr) as bar:

        def on_progress(done: int, total: int, counts: Mapping[str, int]) -> None:
            bar.length = max(total, 1)
            bar.label = f"Syncing {team} {code.upper()} ({sum(counts.values()):,} entities)"
            bar.update(done - bar.pos)

        outcome = run_sync(services, connection_id=conn.id, kind=chosen, on_progress=on_progress)
    if outcome.status == "already_running":
        raise click.ClickException(f"{code.upper()} of team {team} is already syncing; nothing started")
    if outcome.status != "success":
        raise click.ClickException(outcome.error or f"sync {outcome.status}")
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in sorted(outcome.counts.items()) if v)
    click.echo(f"synced {team} {code.upper()} ({chosen}): {counts or 'nothing to do'}")


def register(cli: click.Group) -> None:
    """Add `hilal sync` to the `hilal` command group."""
    cli.add_command(sync_command)
