"""pending marketplace selection: the ticks of an open picker, kept apart from the saved selection

Ticks and page changes write here; only Save copies a picker's row to `profile.selected`. The table
holds interface state that expires after a day, so downgrading simply drops it.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_selection',
    sa.Column('picker_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('selected_json', sa.Text(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_action_ts', sqlmodel.sql.sqltypes.AutoString(length=32), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('picker_id', name=op.f('pk_pending_selection'))
    )
    with op.batch_alter_table('pending_selection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_selection_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_table('pending_selection')  # its index goes with it
