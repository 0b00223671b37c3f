"""Key rotation: re-encrypt every stored secret with the active key.

Each value is decrypted with the key id it names and its own associated data, encrypted with the first
key, and written back with a compare-and-set (`WHERE id = :id AND col = :old`), so a concurrent token
update is never overwritten and the command can be interrupted and re-run at any point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Engine

from storage.crypto import SecretContext, TokenCipher
from storage.models import Connection, OAuthState, Workspace, table_of

__all__ = ["RotationResult", "count_by_kid", "rotate_keys"]


@dataclass(frozen=True)
class _Column:
    table: Table
    column: str
    purpose: str
    with_region: bool


def _columns() -> list[_Column]:
    conn = table_of(Connection)
    return [
        _Column(conn, "refresh_token_enc", "amazon-ads-refresh-token", True),
        _Column(conn, "access_token_enc", "amazon-ads-access-token", True),
        _Column(table_of(OAuthState), "code_verifier_enc", "pkce-verifier", True),
        _Column(table_of(Workspace), "bot_token_enc", "slack-bot-token", False),
    ]


@dataclass
class RotationResult:
    rotated: int = 0
    skipped_concurrent: int = 0
    already_current: int = 0


def _rows(engine: Engine, col: _Column) -> Iterator[tuple[int, str, str, str, str]]:
    t = col.table
    region = t.c.region if col.with_region else t.c.team_id.label("region_placeholder")
    stmt = select(t.c.id, t.c[col.column], t.c.team_id, t.c.enterprise_id, region).where(
        t.c[col.column].is_not(None)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    for row in rows:
        yield row[0], row[1], row[2], row[3], (row[4] if col.with_region else "")


def count_by_kid(engine: Engine) -> dict[str, int]:
    """How many stored secrets each key id protects."""
    counts: dict[str, int] = {}
    for col in _columns():
        for _id, value, *_ in _rows(engine, col):
            kid = TokenCipher.kid_of(value) or "?"
            counts[kid] = counts.get(kid, 0) + 1
    return counts


def rotate_keys(
    engine: Engine, cipher: TokenCipher, *, on_progress: Callable[[int, int], None] | None = None
) -> RotationResult:
    """Re-encrypt every secret not under the active key; safe to re-run after an interruption."""
    result = RotationResult()
    work = [(col, row) for col in _columns() for row in _rows(engine, col)]
    for done, (col, (row_id, old, team, ent, region)) in enumerate(work, start=1):
        if not cipher.needs_rotation(old):
            result.already_current += 1
        else:
            ctx = SecretContext(col.purpose, team, region, ent, row=f"{col.table.name} {row_id}")
            new = cipher.encrypt(cipher.decrypt(old, ctx), ctx)
            t = col.table
            with engine.begin() as conn:
                changed = conn.execute(
                    update(t).where(t.c.id == row_id, t.c[col.column] == old).values({col.column: new})
                ).rowcount
            if changed:
                result.rotated += 1
            else:
                result.skipped_concurrent += 1
        if on_progress:
            on_progress(done, len(work))
    return result
