"""campaign list index: filter and sort keys in the 7-day rollup, ordered indexes per sort; data version

The rollup holds only derived data, so it is dropped and created anew; the next sync or list view
rebuilds it (the list is correct without it, only slower).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_TABLE = 'campaign_window_metric'
_SORT_INDEXES = {
    'ix_campaign_window_metric_spend': ['team_id', sa.text('spend DESC'), 'name_key', 'campaign_pk', 'profile_pk', 'state_key'],
    'ix_campaign_window_metric_name': ['team_id', 'name_key', 'campaign_pk', 'profile_pk', 'state_key'],
    'ix_campaign_window_metric_acos': ['team_id', sa.text('acos_rank DESC'), sa.text('spend DESC'), 'campaign_pk', 'profile_pk', 'state_key', 'name_key'],
}


def upgrade() -> None:
    _drop_rollup()
    op.create_table(_TABLE,
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('profile_pk', sa.Integer(), nullable=False),
    sa.Column('state_key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('spend', storage.types.Money(), nullable=False),
    sa.Column('sales', storage.types.Money(), nullable=False),
    sa.Column('acos_rank', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_campaign_window_metric_campaign_pk_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_pk'], ['profile.id'], name=op.f('fk_campaign_window_metric_profile_pk_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_pk', name=op.f('pk_campaign_window_metric'))
    )
    op.create_index('ix_campaign_window_metric_scope', _TABLE, ['team_id', 'profile_pk', 'state_key'], unique=False)
    for name, columns in _SORT_INDEXES.items():
        op.create_index(name, _TABLE, columns, unique=False)
    op.create_table('campaign_window_state',
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('built_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_campaign_window_state'))
    )
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_table('campaign_window_state')
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_column('data_version')
    _drop_rollup()
    op.create_table(_TABLE,
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('marker', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('spend', storage.types.Money(), nullable=False),
    sa.Column('sales', storage.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_campaign_window_metric_campaign_pk_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_pk', name=op.f('pk_campaign_window_metric'))
    )
    op.create_index('ix_campaign_window_metric_team', _TABLE, ['team_id', 'window_end'], unique=False)


def _drop_rollup() -> None:
    op.drop_table(_TABLE)  # its indexes go with it
