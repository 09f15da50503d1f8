"""when open needs were matched against each supplier change, so that suppliers listed or
changed after a need's publication join its queue (the changes already logged count as matched)

Revision ID: 0023_changes_matched
Revises: 0022_deadline_changes
Create Date: 2026-12-06 09:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0023_changes_matched'
down_revision = '0022_deadline_changes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('supplier_changes') as batch_op:
        batch_op.add_column(sa.Column('matched_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE supplier_changes SET matched_at = changed_at")
    op.create_index('ix_supplier_changes_unmatched', 'supplier_changes', ['id'],
                    postgresql_where=sa.text('matched_at IS NULL'), sqlite_where=sa.text('matched_at IS NULL'))


def downgrade():
    op.drop_index('ix_supplier_changes_unmatched', table_name='supplier_changes')
    with op.batch_alter_table('supplier_changes') as batch_op:
        batch_op.drop_column('matched_at')
