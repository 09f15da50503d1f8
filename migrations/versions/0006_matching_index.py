"""an index for matching France-wide needs

Revision ID: 0006_matching_index
Revises: 0005_commune_places
Create Date: 2026-11-23

"""
from alembic import op

revision = '0006_matching_index'
down_revision = '0005_commune_places'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_supplier_activities_matching', 'supplier_activities',
                    ['sector_id', 'supplier_id', 'service_kinds'], unique=False)


def downgrade():
    op.drop_index('ix_supplier_activities_matching', table_name='supplier_activities')
