"""Operator commands: `hilal purge TEAM REGION` and `hilal sandbox`."""

from __future__ import annotations

import getpass
import threading

import click

from bot.amazon.regions import Region
from bot.settings import load_settings

__all__ = ["register"]


@click.command()
@click.argument("team")
@click.argument("region")
@click.option("--yes-i-typed-it", "typed", default=None, help="The team id typed back (for scripts).")
def purge(team: str, region: str, typed: str | None) -> None:
    """Delete one team's region for good (operator only): shows counts, asks for the team id."""
    from storage.db import check_database, make_engine
    from storage.purge import execute_purge, plan_purge

    try:
        code = Region.parse(region).value
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="REGION") from None
    engine = make_engine(load_settings().hilal_database_url)
    check_database(engine)
    plan = plan_purge(engine, team_id=team, region=code)
    if plan.empty:
        click.echo(f"nothing to purge: team {team} has no {code.upper()} connection")
        return
    click.echo(f"This permanently deletes {code.upper()} of team {team}:")
    for table, count in sorted(plan.counts.items()):
        click.echo(f"  {table:<24} {count:>10,}")
    answer = (
        typed
        if typed is not None
        else click.prompt("Type the team id to confirm", default="", show_default=False)
    )
    if answer != team:
        raise click.ClickException("the team id did not match; nothing was deleted")
    execute_purge(engine, plan, actor=f"cli:{getpass.getuser()}")
    click.echo("purged; an audit event records it")


@click.command()
@click.option("--host", default="127.0.0.1")
@click.option(
    "--port", default=8765, type=int, help="Amazon simulator port (the Slack stand-in uses port+1)."
)
def sandbox(host: str, port: int) -> None:
    """Run the Amazon simulator (demo account) and the Slack stand-in alone."""
    from sandbox.amazon import AmazonSimulator, SimConfig
    from sandbox.slack import SlackStandIn

    sim = AmazonSimulator(SimConfig(client_id="amzn1.application-oa2-client.sandbox"))
    sim.seed_demo()
    sim.start(host=host, port=port)
    slack = SlackStandIn.with_demo_workspace(host=host, port=port + 1).start()
    for region in Region:
        urls = sim.region_urls(region)
        click.echo(
            f"{region.upper()}: auth {urls['auth_url']}  token {urls['token_url']}  api {urls['api_url']}"
        )
    click.echo(f"Slack Web API: {slack.api_url}   console: {slack.base_url}/")
    click.echo("Ctrl-C to stop.")
    try:
        threading.Event().wait()
    finally:
        slack.stop()
        sim.stop()


def register(cli: click.Group) -> None:
    """Add `hilal purge` and `hilal sandbox` to the `hilal` command group."""
    cli.add_command(purge)
    cli.add_command(sandbox)
