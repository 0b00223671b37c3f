"""procrastinate: the job queue's own tables and functions, next to ours, on PostgreSQL only

`HILAL_QUEUE=procrastinate` keeps its jobs, periodic deferrals, worker heartbeats and events in
Procrastinate's schema (`procrastinate_*` tables, types and functions). This revision applies the schema
of the installed Procrastinate (3.10) once; on SQLite (single process, no queue) it does nothing. A later
Procrastinate that changes its schema gets its own revision applying its migration files.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
from procrastinate.schema import SchemaManager


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is not None:
        return  # applied before (by hand or an earlier attempt): nothing to do
    # SQLAlchemy passes a parameter set, so psycopg reads `%` as a placeholder: escape the schema's own.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    functions = bind.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'"
    ).scalars().all()
    for table in ("events", "periodic_defers", "jobs", "workers"):
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS procrastinate_{table} CASCADE")
    for signature in functions:
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    for type_name in ("job_to_defer_v1", "job_event_type", "job_status"):
        bind.exec_driver_sql(f"DROP TYPE IF EXISTS procrastinate_{type_name} CASCADE")
