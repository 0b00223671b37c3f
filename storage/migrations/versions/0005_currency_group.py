"""currency groups: the list's rollup carries its profile's currency; spend is indexed within a currency

Money is never compared across currencies, so the spend index starts with the currency, and the ACOS
index breaks ties by name instead of spend. The rollup holds only derived data: it is dropped and created
anew, and its build state is forgotten, so the list takes its live road until the next sync or list view
rebuilds it (correct without it, only slower).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_TABLE = 'campaign_window_metric'
_FILTERS = ['campaign_pk', 'profile_pk', 'state_key']
_INDEXES = {
    'ix_campaign_window_metric_scope': ['team_id', 'profile_pk', 'currency', 'state_key'],
    'ix_campaign_window_metric_spend': ['team_id', 'currency', sa.text('spend DESC'), 'name_key', *_FILTERS],
    'ix_campaign_window_metric_name': ['team_id', 'name_key', *_FILTERS],
    'ix_campaign_window_metric_acos': ['team_id', sa.text('acos_rank DESC'), 'name_key', *_FILTERS],
}
_INDEXES_0003 = {
    'ix_campaign_window_metric_scope': ['team_id', 'profile_pk', 'state_key'],
    'ix_campaign_window_metric_spend': ['team_id', sa.text('spend DESC'), 'name_key', *_FILTERS],
    'ix_campaign_window_metric_name': ['team_id', 'name_key', *_FILTERS],
    'ix_campaign_window_metric_acos': ['team_id', sa.text('acos_rank DESC'), sa.text('spend DESC'), *_FILTERS, 'name_key'],
}


def upgrade() -> None:
    _recreate(with_currency=True, indexes=_INDEXES)


def downgrade() -> None:
    _recreate(with_currency=False, indexes=_INDEXES_0003)


def _recreate(*, with_currency: bool, indexes: dict[str, list]) -> None:
    op.execute(sa.text('DELETE FROM campaign_window_state'))  # nothing is built any more
    op.drop_table(_TABLE)  # its indexes go with it
    currency = [sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False)]
    op.create_table(_TABLE,
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('profile_pk', sa.Integer(), nullable=False),
    *(currency if with_currency else []),
    sa.Column('state_key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('spend', storage.types.Money(), nullable=False),
    sa.Column('sales', storage.types.Money(), nullable=False),
    sa.Column('acos_rank', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_campaign_window_metric_campaign_pk_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_pk'], ['profile.id'], name=op.f('fk_campaign_window_metric_profile_pk_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_pk', name=op.f('pk_campaign_window_metric'))
    )
    for name, columns in indexes.items():
        op.create_index(name, _TABLE, columns, unique=False)
