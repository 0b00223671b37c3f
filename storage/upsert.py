"""Bulk upsert that works on SQLite and PostgreSQL.

`bulk_upsert(conn, table, rows, key=..., update=...)` de-duplicates the batch by key first (the last
occurrence wins: PostgreSQL refuses an `ON CONFLICT DO UPDATE` statement that touches the same row
twice), then runs `INSERT … ON CONFLICT (key) DO UPDATE` as an executemany in chunks.

With `only_changed=True` the update carries a `WHERE` clause comparing the updated columns, so rows
that did not change are not rewritten (steady-state syncs write almost nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

__all__ = ["bulk_upsert", "dedupe_by_key"]


def dedupe_by_key(rows: Iterable[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """Keep the last row for each key, in first-seen order."""
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        unique[tuple(row[k] for k in key)] = row
    return list(unique.values())


def bulk_upsert(
    conn: Connection | Session,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
    only_changed: bool = False,
    touch: Mapping[str, Any] | None = None,
    chunk: int = 2000,
) -> int:
    """Insert or update `rows` by `key`; returns the number of rows sent after de-duplication.

    Args:
        conn: a connection or session inside the caller's transaction (no commit here).
        table: the target table (`Model.__table__`).
        rows: dicts with at least the key and update columns.
        key: the columns of a unique constraint.
        update: the columns overwritten on conflict.
        only_changed: skip the update when none of the `update` columns differ.
        touch: extra column values set on update only when the row changed (e.g. `updated_at`).
        chunk: rows per executemany.
    """
    batch = dedupe_by_key(rows, key)
    if not batch:
        return 0
    dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table)
    values: dict[str, Any] = {col: stmt.excluded[col] for col in update}
    values.update(touch or {})
    where = None
    if only_changed and update:
        where = or_(*(table.c[col].is_distinct_from(stmt.excluded[col]) for col in update))
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=values, where=where)
    columns = tuple(batch[0])
    sa_conn = conn.connection() if isinstance(conn, Session) else conn
    if all(tuple(row) == columns for row in batch):
        _execute_compiled(sa_conn, stmt, batch, columns, chunk)
    else:  # rows of different shapes: let SQLAlchemy bind each one
        for start in range(0, len(batch), chunk):
            conn.execute(stmt, list(batch[start : start + chunk]))
    return len(batch)


def _execute_compiled(
    conn: Connection, stmt: Any, batch: Sequence[Mapping[str, Any]], columns: tuple[str, ...], chunk: int
) -> None:
    """Compile once, convert values with each column type's bind processor, and executemany on the driver.

    Same SQL and the same value conversions as `conn.execute(stmt, rows)`, without SQLAlchemy's per-row
    parameter bookkeeping (the largest cost of a big sync).
    """
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(columns))
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    plan: list[tuple[str, Any, bool, Any]] = []
    for name in names:
        bind = compiled.binds[name]
        process = bind.type.bind_processor(conn.dialect)
        in_row = name in columns
        constant = None if in_row else (process(bind.effective_value) if process else bind.effective_value)
        plan.append((name, process, in_row, constant))

    def convert(row: Mapping[str, Any]) -> list[Any]:
        return [
            (process(row[name]) if process else row[name]) if in_row else constant
            for name, process, in_row, constant in plan
        ]

    sql = compiled.string
    for start in range(0, len(batch), chunk):
        part = batch[start : start + chunk]
        if compiled.positional:
            conn.exec_driver_sql(sql, [tuple(convert(row)) for row in part])
        else:
            conn.exec_driver_sql(sql, [dict(zip(names, convert(row), strict=True)) for row in part])
