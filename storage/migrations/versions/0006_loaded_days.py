"""loaded days: which marketplace-days Amazon has delivered, and the sync summary waiting for them

`profile_day_loaded` holds one row per (profile, report kind, day) whose report completed and was stored,
so a day without a row is "not loaded", never zero. The upgrade fills it from the report jobs already
done, so existing data stays loaded. `connection.summary_channel` / `summary_ts` name the finished sync's
message that is edited once its reports land.

Revision ID: 0006
Revises: 0005
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    table = op.create_table('profile_day_loaded',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('profile_pk', sa.Integer(), nullable=False),
    sa.Column('report_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('loaded_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['profile_pk'], ['profile.id'], name=op.f('fk_profile_day_loaded_profile_pk_profile')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_day_loaded')),
    sa.UniqueConstraint('profile_pk', 'report_kind', 'date', name=op.f('uq_profile_day_loaded_profile_pk_report_kind_date'))
    )
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('summary_ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    _backfill(table)


def _backfill(table: sa.Table) -> None:
    """Every day covered by a report job already done is loaded (latest finish wins)."""
    jobs = sa.table('report_job', sa.column('profile_pk', sa.Integer()), sa.column('report_kind', sa.String()),
                    sa.column('start_date', sa.Date()), sa.column('end_date', sa.Date()),
                    sa.column('status', sa.String()), sa.column('finished_at', storage.types.UtcDateTime()))
    profiles = sa.table('profile', sa.column('id', sa.Integer()), sa.column('team_id', sa.String()))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(jobs.c.profile_pk, profiles.c.team_id, jobs.c.report_kind, jobs.c.start_date,
                  jobs.c.end_date, jobs.c.finished_at)
        .join(profiles, profiles.c.id == jobs.c.profile_pk)
        .where(jobs.c.status == 'done')
    ).all()
    loaded: dict[tuple[int, str, object], dict[str, object]] = {}
    fallback = datetime.now(timezone.utc)
    for profile_pk, team_id, kind, start, end, finished_at in rows:
        when = finished_at or fallback
        for n in range((end - start).days + 1):
            key = (profile_pk, kind, start + timedelta(days=n))
            if key not in loaded or loaded[key]['loaded_at'] < when:
                loaded[key] = {'team_id': team_id, 'profile_pk': profile_pk, 'report_kind': kind,
                               'date': key[2], 'loaded_at': when}
    values = list(loaded.values())
    for i in range(0, len(values), _BATCH):
        op.bulk_insert(table, values[i:i + _BATCH])


def downgrade() -> None:
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_column('summary_ts')
        batch_op.drop_column('summary_channel')
    op.drop_table('profile_day_loaded')
