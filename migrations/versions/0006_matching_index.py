"""indexes for matching needs to suppliers

Revision ID: 0006_matching_index
Revises: 0005_commune_places
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa

revision = '0006_matching_index'
down_revision = '0005_commune_places'
branch_labels = None
depends_on = None

CONTACTABLE = "is_listed AND email IS NOT NULL AND email != ''"


def upgrade():
    op.create_index('ix_supplier_activities_matching', 'supplier_activities',
                    ['sector_id', 'supplier_id', 'service_kinds'], unique=False)
    op.create_index('ix_suppliers_contactable', 'suppliers', ['id', 'kind', 'completion', 'latitude', 'longitude'],
                    unique=False, sqlite_where=sa.text(CONTACTABLE), postgresql_where=sa.text(CONTACTABLE))


def downgrade():
    op.drop_index('ix_suppliers_contactable', table_name='suppliers')
    op.drop_index('ix_supplier_activities_matching', table_name='supplier_activities')
