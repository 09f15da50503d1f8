"""the deadline changes of published needs (when, by whom, from what to what)

Revision ID: 0022_deadline_changes
Revises: 0021_sector_order_index
Create Date: 2026-12-06 09:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022_deadline_changes'
down_revision = '0021_sector_order_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'need_deadline_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('previous', sa.DateTime(), nullable=True),
        sa.Column('deadline', sa.DateTime(), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_need_deadline_changes_changed_by_id_users')),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_deadline_changes_need_id_needs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_need_deadline_changes')),
    )
    op.create_index(op.f('ix_need_deadline_changes_need_id'), 'need_deadline_changes', ['need_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_need_deadline_changes_need_id'), table_name='need_deadline_changes')
    op.drop_table('need_deadline_changes')
