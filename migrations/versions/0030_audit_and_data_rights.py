"""The audit log, and each person's data rights: when an inactive account was warned,
and when an account was closed

Revision ID: 0030_audit_and_data_rights
Revises: 0029_purchase_ledger
Create Date: 2026-12-06 15:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0030_audit_and_data_rights'
down_revision = '0029_purchase_ledger'
branch_labels = None
depends_on = None

ACTION = sa.Enum('role_changed', 'account_deactivated', 'account_reactivated', 'account_closed', 'offer_awarded',
                 'order_refunded', 'contacts_exported', 'api_key_created', name='auditaction', native_enum=False,
                 length=30)


def upgrade():
    op.create_table(
        'audit_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('action', ACTION, nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('target', sa.String(length=80), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    )
    op.create_index(op.f('ix_audit_events_at'), 'audit_events', ['at'])
    op.create_index(op.f('ix_audit_events_actor_id'), 'audit_events', ['actor_id'])
    op.create_index('ix_audit_events_action_at', 'audit_events', ['action', 'at'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('inactivity_warned_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('closed_at')
        batch.drop_column('inactivity_warned_at')
    op.drop_table('audit_events')
