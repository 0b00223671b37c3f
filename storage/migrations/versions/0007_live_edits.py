"""live edits: previewed change sets, their entities, editors, the read-only switch and the audit channel

`edit_batch` holds one previewed change of a region (pause, enable, budget, bid, default bid), claimed
once with a compare-and-set on its status; `edit_item` one entity of it (before, after, Amazon's value at
preview, Amazon's answer). `editor_user` names who may edit besides the managers. `connection.read_only`
refuses every write of a region; `workspace.audit_channel` gets one line per change. Campaigns, ad groups
and keywords carry `edited_by` / `edited_at` ("changed from Slack by …"), which syncs never overwrite;
`audit_event.campaign_pk` finds a campaign's history. New columns are nullable or defaulted, so
existing rows need no backfill.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('editor_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_editor_user')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_editor_user_team_id_user_id'))
    )
    op.create_table('edit_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('confirm_word', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('undo_of', sa.Integer(), nullable=True),
    sa.Column('applied_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('applied_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('summary_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], name=op.f('fk_edit_batch_connection_id_connection')),
    sa.ForeignKeyConstraint(['undo_of'], ['edit_batch.id'], name=op.f('fk_edit_batch_undo_of_edit_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edit_batch'))
    )
    with op.batch_alter_table('edit_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edit_batch_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index('ix_edit_batch_team_status', ['team_id', 'status'], unique=False)

    op.create_table('edit_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('profile_pk', sa.Integer(), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entity_name', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('campaign_pk', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('before', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('after', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('amazon_value', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['edit_batch.id'], name=op.f('fk_edit_item_batch_id_edit_batch')),
    sa.ForeignKeyConstraint(['campaign_pk'], ['campaign.id'], name=op.f('fk_edit_item_campaign_pk_campaign')),
    sa.ForeignKeyConstraint(['profile_pk'], ['profile.id'], name=op.f('fk_edit_item_profile_pk_profile')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edit_item'))
    )
    with op.batch_alter_table('edit_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edit_item_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('ad_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('edited_at', storage.types.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_pk', sa.Integer(), nullable=True))
        batch_op.create_index('ix_audit_event_campaign', ['campaign_pk', 'created_at'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('edited_at', storage.types.UtcDateTime(timezone=True), nullable=True))

    # A plain ADD COLUMN (with its default) on SQLite too: a batch would copy and drop `connection`,
    # which the rows pointing at it forbid.
    op.add_column('connection', sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('keyword', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('edited_at', storage.types.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('audit_channel')

    with op.batch_alter_table('keyword', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
        batch_op.drop_column('edited_by')

    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_column('read_only')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
        batch_op.drop_column('edited_by')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_campaign')
        batch_op.drop_column('campaign_pk')

    with op.batch_alter_table('ad_group', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
        batch_op.drop_column('edited_by')

    with op.batch_alter_table('edit_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edit_item_batch_id'))

    op.drop_table('edit_item')
    with op.batch_alter_table('edit_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_edit_batch_team_status')
        batch_op.drop_index(batch_op.f('ix_edit_batch_connection_id'))

    op.drop_table('edit_batch')
    op.drop_table('editor_user')
