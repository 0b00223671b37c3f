"""Bulk upsert that works on SQLite and PostgreSQL.

`bulk_upsert(conn, table, rows, key=..., update=...)` de-duplicates the batch by key first (the last
occurrence wins: PostgreSQL refuses an `ON CONFLICT DO UPDATE` statement that touches the same row
twice), then runs `INSERT … ON CONFLICT (key) DO UPDATE` as an executemany in chunks.

With `only_changed=True` the update carries a `WHERE` clause comparing the updated columns, so rows
that did not change are not rewritten (steady-state syncs write almost nothing).

Speed: the statement is compiled once per (dialect, table, columns, key, update, only_changed, touch
columns) and cached; literal `touch` values are bound parameters of that statement. Values go through
each column type's own bind processor (the same conversion `conn.execute` applies: `Money` to
ten-thousandths, `UtcDateTime` to naive UTC on SQLite …), column by column, converting each distinct
value of a `Money`, `UtcDateTime` or `Date` column once, and reach the driver's `executemany` as tuples
(SQLite, qmark) or dicts (psycopg, pyformat). Rows of different shapes take SQLAlchemy's own path.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import Date, TypeEngine

from storage.types import Money, UtcDateTime

__all__ = ["bulk_upsert", "dedupe_by_key", "rowcount"]

_TOUCH_PREFIX = "hilal_touch_"
_PLAN_CACHE_SIZE = 256
_Convert = Callable[[list[Any]], list[Any]]


def dedupe_by_key(rows: Iterable[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """Keep the last row for each key, in first-seen order."""
    if not key:
        unique_rows = list(rows)
        return unique_rows[-1:]
    get = itemgetter(*key)
    unique = {get(row): row for row in rows}  # a repeated key keeps its first position, takes the last row
    return list(unique.values())


@dataclass(frozen=True)
class _Param:
    """One parameter of the compiled statement: read from a row column, or fixed for the whole call."""

    name: str  # its name in the SQL (pyformat) / its place in the tuple (qmark)
    column: str | None  # the row column it reads, None when fixed
    convert: _Convert | None  # whole-column conversion of row values
    touch: str | None  # the `touch` column whose literal value it carries
    process: Callable[[Any], Any] | None  # bind processor for fixed values
    value: Any  # the compiled-in value of a fixed parameter that is not a touch literal


@dataclass(frozen=True)
class _Plan:
    sql: str
    positional: bool
    params: tuple[_Param, ...]


_PLANS: weakref.WeakKeyDictionary[Dialect, dict[tuple[Any, ...], _Plan]] = weakref.WeakKeyDictionary()


def rowcount(result: Any) -> int:
    """Rows a statement touched, 0 when the driver cannot tell (-1 or None)."""
    count = getattr(result, "rowcount", 0)
    return int(count) if count and count > 0 else 0


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
    sa_conn = conn.connection() if isinstance(conn, Session) else conn
    touch = dict(touch or {})
    first = batch[0].keys()
    if any(row.keys() != first for row in batch):  # rows of different shapes: SQLAlchemy binds each one
        stmt = _statement(
            sa_conn.dialect, table, key=key, update=update, only_changed=only_changed, touch=touch
        )
        for start in range(0, len(batch), chunk):
            sa_conn.execute(stmt, list(batch[start : start + chunk]))
        return len(batch)
    plan = _plan(
        sa_conn.dialect, table, tuple(first), key=key, update=update, only_changed=only_changed, touch=touch
    )
    fixed = _fixed_values(plan, touch)
    for start in range(0, len(batch), chunk):
        part = batch[start : start + chunk]
        try:
            params = _parameters(plan, part, fixed)
        except Exception as exc:  # what `conn.execute` raises when a bind processor refuses a value
            reason = f"({type(exc).__module__}.{type(exc).__name__}) {exc}"
            raise StatementError(reason, plan.sql, None, exc) from exc
        sa_conn.exec_driver_sql(plan.sql, params)
    return len(batch)


def _is_literal(value: Any) -> bool:
    return not (isinstance(value, ClauseElement) or hasattr(value, "__clause_element__"))


def _statement(
    dialect: Dialect,
    table: Table,
    *,
    key: Sequence[str],
    update: Sequence[str],
    only_changed: bool,
    touch: Mapping[str, Any],
) -> Any:
    """`INSERT … ON CONFLICT (key) DO UPDATE SET update…, touch… [WHERE any update column differs]`."""
    insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table)
    values: dict[str, Any] = {col: stmt.excluded[col] for col in update}
    values.update(touch)
    where = None
    if only_changed and update:
        where = or_(*(table.c[col].is_distinct_from(stmt.excluded[col]) for col in update))
    return stmt.on_conflict_do_update(index_elements=list(key), set_=values, where=where)


def _plan(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    *,
    key: Sequence[str],
    update: Sequence[str],
    only_changed: bool,
    touch: Mapping[str, Any],
) -> _Plan:
    """The compiled statement and how to fill its parameters; cached unless `touch` holds SQL expressions."""
    literal = {col: _is_literal(value) for col, value in touch.items()}
    cache_key = (table, columns, tuple(key), tuple(update), only_changed, tuple(literal.items()))
    cacheable = all(literal.values())
    plans = _PLANS.setdefault(dialect, {})
    if cacheable and (cached := plans.get(cache_key)) is not None:
        return cached
    bound = {
        col: (
            bindparam(_TOUCH_PREFIX + col, type_=table.c[col].type if col in table.c else None)
            if literal[col]
            else value
        )
        for col, value in touch.items()
    }
    stmt = _statement(dialect, table, key=key, update=update, only_changed=only_changed, touch=bound)
    plan = _compile(dialect, stmt, columns)
    if cacheable:
        if len(plans) >= _PLAN_CACHE_SIZE:
            plans.clear()
        plans[cache_key] = plan
    return plan


def _compile(dialect: Dialect, stmt: Any, columns: tuple[str, ...]) -> _Plan:
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
    by_sql_name = {escaped.get(name, name): (name, bind) for name, bind in compiled.binds.items()}
    order = list(compiled.positiontup or ()) if compiled.positional else list(by_sql_name)
    params: list[_Param] = []
    for sql_name in order:
        name, bind = by_sql_name[sql_name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in columns and not name.startswith(_TOUCH_PREFIX):
            convert = _column_converter(bind.type, process)
            params.append(_Param(sql_name, name, convert, None, None, None))
        else:
            touch = name[len(_TOUCH_PREFIX) :] if name.startswith(_TOUCH_PREFIX) else None
            params.append(_Param(sql_name, None, None, touch, process, bind.effective_value))
    return _Plan(compiled.string, bool(compiled.positional), tuple(params))


def _column_converter(type_: TypeEngine[Any], process: Callable[[Any], Any] | None) -> _Convert | None:
    """Convert a whole column of values; distinct values once where equal values convert equally."""
    if process is None:
        return None
    if isinstance(type_, (Money, UtcDateTime)):
        return _memoized(process, key_types=None)
    if isinstance(type_, Date):
        return _memoized(process, key_types=(date,))
    return lambda values: list(map(process, values))


def _memoized(process: Callable[[Any], Any], *, key_types: tuple[type, ...] | None) -> _Convert:
    def convert(values: list[Any]) -> list[Any]:
        try:
            distinct = set(values)
        except TypeError:  # unhashable values: convert one by one
            return list(map(process, values))
        if key_types is not None and any(type(value) not in key_types for value in distinct):
            return list(map(process, values))
        converted = {value: process(value) for value in distinct}
        return list(map(converted.__getitem__, values))

    return convert


def _fixed_values(plan: _Plan, touch: Mapping[str, Any]) -> dict[str, Any]:
    """The converted value of every parameter that is the same for each row of this call."""
    fixed: dict[str, Any] = {}
    for param in plan.params:
        if param.column is None:
            value = touch[param.touch] if param.touch is not None else param.value
            fixed[param.name] = param.process(value) if param.process is not None else value
    return fixed


def _parameters(plan: _Plan, part: Sequence[Mapping[str, Any]], fixed: Mapping[str, Any]) -> list[Any]:
    """One chunk as driver parameters: tuples in placeholder order, or dicts by placeholder name."""
    columns: list[Iterable[Any]] = []
    for param in plan.params:
        if param.column is None:
            columns.append(repeat(fixed[param.name], len(part)))
            continue
        values = list(map(itemgetter(param.column), part))
        columns.append(param.convert(values) if param.convert is not None else values)
    tuples = list(zip(*columns, strict=True))
    if plan.positional:
        return tuples
    names = [param.name for param in plan.params]
    return [dict(zip(names, values, strict=True)) for values in tuples]
