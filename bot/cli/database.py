"""Database commands: `hilal db upgrade` (the schema) and `hilal keys generate|rotate|status`."""

from __future__ import annotations

import secrets
import sys

import click

from bot.settings import ConfigError, load_settings

__all__ = ["register"]


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from storage.db import check_database, make_engine
    from storage.migrate import current_revision, upgrade

    engine = make_engine(load_settings().hilal_database_url)
    try:
        check_database(engine)
        upgrade(engine)
        click.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()


@click.group()
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

    settings = load_settings()
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

    engine = make_engine(load_settings().hilal_database_url)
    try:
        check_database(engine)
        click.echo(str(count_by_kid(engine)))
    finally:
        engine.dispose()


def register(cli: click.Group) -> None:
    """Add `hilal db` and `hilal keys` to the `hilal` command group."""
    cli.add_command(db)
    cli.add_command(keys)
