"""a sector's activities in the order of their supplier's completion, so that a search by
sector alone reads its page (and a bounded count) in order and stops

Revision ID: 0021_sector_order_index
Revises: 0020_search_named_index
Create Date: 2026-12-02 06:20:00

"""
from alembic import op

revision = '0021_sector_order_index'
down_revision = '0020_search_named_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_supplier_activities_order', 'supplier_activities',
                    ['sector_id', 'supplier_completion', 'supplier_id', 'supplier_listed', 'supplier_kind',
                     'service_kinds'])


def downgrade():
    op.drop_index('ix_supplier_activities_order', table_name='supplier_activities')
