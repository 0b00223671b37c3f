"""Schema migrations (Alembic), configured in code so no alembic.ini is needed.

`upgrade(engine)` brings a database to head; `pending_diff(engine)` lists differences between the
models and the migrated schema (empty when they agree); `current_revision` / `head_revision` tell
start-up whether the database is behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from storage.models import metadata

__all__ = [
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "is_ours",
    "pending_diff",
    "revision",
    "upgrade",
]

_HERE = Path(__file__).resolve().parent / "migrations"


def is_ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate's filter: Procrastinate's tables (`procrastinate_*`, revision 0009) are not our models."""
    del obj, reflected, compare_to
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at our scripts (and at `engine` when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    if engine is not None:
        cfg.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return cfg


def upgrade(engine: Engine, revision_id: str = "head") -> None:
    """Apply every migration up to `revision_id`."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision_id)


def downgrade(engine: Engine, revision_id: str) -> None:
    """Undo migrations down to `revision_id` (developer tool and migration tests)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision_id)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision (developer tool)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def pending_diff(engine: Engine) -> list[Any]:
    """Differences between the models and the database schema (autogenerate's view)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": is_ours})
        return list(compare_metadata(ctx, metadata))
