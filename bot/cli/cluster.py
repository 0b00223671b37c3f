"""Cluster commands (`HILAL_QUEUE=procrastinate`): `hilal worker` and `hilal jobs`."""

from __future__ import annotations

import click

from bot.settings import ConfigError, load_settings

__all__ = ["register"]


@click.command()
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Jobs at once.")
@click.option(
    "--stalled-after",
    default=30.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds without a heartbeat after which a worker's jobs are retried elsewhere.",
)
def worker(concurrency: int, stalled_after: float) -> None:
    """Run the cluster's jobs (syncs, report polls, digests, alerts) until SIGTERM or Ctrl-C."""
    from bot.jobs.worker import WorkerOptions, run_worker

    run_worker(load_settings(), WorkerOptions(concurrency=concurrency, stalled_after=stalled_after))


@click.command()
@click.option("--stalled-after", default=30.0, show_default=True, type=click.FloatRange(1, 3600))
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000))
def jobs(stalled_after: float, limit: int) -> None:
    """List failed and stalled jobs, and how many jobs are in each state."""
    from storage.db import check_database, make_engine
    from storage.repositories.queue_jobs import job_counts, problem_jobs

    settings = load_settings()
    if not settings.clustered:
        raise ConfigError("hilal jobs reads the cluster's queue: set HILAL_QUEUE=procrastinate")
    engine = make_engine(settings.hilal_database_url, pool_size=1)
    try:
        check_database(engine)
        with engine.connect() as conn:
            counts = job_counts(conn, stalled_after=stalled_after)
            found = problem_jobs(conn, stalled_after=stalled_after, limit=limit)
    finally:
        engine.dispose()
    click.echo("jobs: " + ", ".join(f"{state} {count}" for state, count in sorted(counts.items())))
    if not found:
        click.echo("no failed or stalled jobs")
        return
    click.echo(f"{'id':>8}  {'state':<8} {'task':<16} {'tries':>5}  {'lock':<14} arguments")
    for job in found:
        args = " ".join(f"{k}={v}" for k, v in sorted(job.args.items()))
        click.echo(
            f"{job.id:>8}  {job.state:<8} {job.task:<16} {job.attempts:>5}  {job.lock or '-':<14} {args}"
        )


def register(cli: click.Group) -> None:
    """Add `hilal worker` and `hilal jobs` to the `hilal` command group."""
    cli.add_command(worker)
    cli.add_command(jobs)
