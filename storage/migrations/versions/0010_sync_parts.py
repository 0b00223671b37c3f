"""sync parts: one row per profile of a sync split across workers

A large connection's sync in a cluster is split by profile: `sync_part` holds each profile's claim (who
works on it, until when), its state, its counts and its error, so several workers sync one connection's
profiles at once and a killed worker's part is taken by another. A new table: nothing to backfill.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table('sync_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('profile_pk', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('claimed_until', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('counts_json', sa.Text(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('reconnect', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], name=op.f('fk_sync_part_connection_id_connection')),
    sa.ForeignKeyConstraint(['profile_pk'], ['profile.id'], name=op.f('fk_sync_part_profile_pk_profile')),
    sa.ForeignKeyConstraint(['run_id'], ['sync_run.id'], name=op.f('fk_sync_part_run_id_sync_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_part')),
    sa.UniqueConstraint('run_id', 'profile_pk', name=op.f('uq_sync_part_run_id_profile_pk'))
    )
    with op.batch_alter_table('sync_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_part_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_part_run_id'), ['run_id'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('sync_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_part_run_id'))
        batch_op.drop_index(batch_op.f('ix_sync_part_connection_id'))

    op.drop_table('sync_part')
