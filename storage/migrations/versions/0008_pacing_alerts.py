"""pacing alerts: intraday budget readings, the latest per campaign, alert subscriptions, claims and mutes

`budget_reading` keeps every budget-usage reading of a campaign (unique per campaign, marketplace day and
read time: the Details chart); `campaign_pacing` the latest one with the UTC instant its marketplace day
ends (the list's row text, sort and "at risk" filter). `alert_subscription` is a channel's alerts (one
per channel), `alert_delivery` one claim per (subscription, campaign, marketplace day, kind) so an alert
is posted once, `alert_mute` "Mute for today". `connection.next_pacing_at` / `last_pacing_at` say when a
region's next poll is due. New columns are nullable, so existing rows need no backfill.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('subscriber_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('regions', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('marketplaces', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('pause_reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscription')),
    sa.UniqueConstraint('team_id', 'channel_id', name=op.f('uq_alert_subscription_team_id_channel_id'))
    )
    op.create_table('alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('claimed_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('posted_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('message_ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_alert_delivery_campaign_pk_campaign')),
    sa.ForeignKeyConstraint(['subscription_id'], ['alert_subscription.id'], name=op.f('fk_alert_delivery_subscription_id_alert_subscription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_delivery')),
    sa.UniqueConstraint('subscription_id', 'campaign_pk', 'local_date', 'kind', name=op.f('uq_alert_delivery_subscription_id_campaign_pk_local_date_kind'))
    )
    op.create_table('alert_mute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('muted_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_alert_mute_campaign_pk_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_mute')),
    sa.UniqueConstraint('team_id', 'channel_id', 'campaign_pk', 'local_date', name=op.f('uq_alert_mute_team_id_channel_id_campaign_pk_local_date'))
    )
    op.create_table('budget_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('percent', storage.types.Money(), nullable=False),
    sa.Column('budget', storage.types.Money(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('amazon_updated_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('read_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_budget_reading_campaign_pk_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_reading')),
    sa.UniqueConstraint('campaign_pk', 'local_date', 'read_at', name=op.f('uq_budget_reading_campaign_pk_local_date_read_at'))
    )
    op.create_table('campaign_pacing',
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('day_ends_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('percent', storage.types.Money(), nullable=False),
    sa.Column('budget', storage.types.Money(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('amazon_updated_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('read_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_campaign_pacing_campaign_pk_campaign')),
    sa.PrimaryKeyConstraint('campaign_pk', name=op.f('pk_campaign_pacing'))
    )
    with op.batch_alter_table('campaign_pacing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_pacing_day_ends_at'), ['day_ends_at'], unique=False)

    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_pacing_at', storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_pacing_at', storage.types.UtcDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_column('last_pacing_at')
        batch_op.drop_column('next_pacing_at')

    with op.batch_alter_table('campaign_pacing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_pacing_day_ends_at'))

    op.drop_table('campaign_pacing')
    op.drop_table('budget_reading')
    op.drop_table('alert_mute')
    op.drop_table('alert_delivery')
    op.drop_table('alert_subscription')
