"""an index of the matches nobody answered yet, for the weekly digest

Revision ID: 0015_digest_index
Revises: 0014_search_order
Create Date: 2026-11-24 00:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_digest_index'
down_revision = '0014_search_order'
branch_labels = None
depends_on = None

UNANSWERED = sa.text("not_interested_at IS NULL AND offer_submitted_at IS NULL")


def upgrade():
    op.create_index('ix_need_suppliers_unanswered', 'need_suppliers', ['supplier_id', 'need_id'], unique=False,
                    sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)


def downgrade():
    op.drop_index('ix_need_suppliers_unanswered', table_name='need_suppliers',
                  sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)
