"""campaign 7-day window rollup

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaign_window_metric',
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('marker', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('spend', storage.types.Money(), nullable=False),
    sa.Column('sales', storage.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_campaign_window_metric_campaign_pk_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_pk', name=op.f('pk_campaign_window_metric'))
    )
    with op.batch_alter_table('campaign_window_metric', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_window_metric_team', ['team_id', 'window_end'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('campaign_window_metric', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_window_metric_team')
    op.drop_table('campaign_window_metric')
