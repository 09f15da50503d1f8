"""the digest's index of unanswered matches carries whether the supplier was told, so that
the digest lists only needs a supplier may open, still from the index alone

Revision ID: 0024_digest_told_index
Revises: 0023_changes_matched
Create Date: 2026-12-06 09:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_digest_told_index'
down_revision = '0023_changes_matched'
branch_labels = None
depends_on = None

UNANSWERED = sa.text("not_interested_at IS NULL AND offer_submitted_at IS NULL")


def upgrade():
    op.drop_index('ix_need_suppliers_unanswered', table_name='need_suppliers')
    op.create_index('ix_need_suppliers_unanswered', 'need_suppliers', ['supplier_id', 'need_id', 'told_at'],
                    unique=False, sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)


def downgrade():
    op.drop_index('ix_need_suppliers_unanswered', table_name='need_suppliers')
    op.create_index('ix_need_suppliers_unanswered', 'need_suppliers', ['supplier_id', 'need_id'], unique=False,
                    sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)
