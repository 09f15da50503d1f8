"""covering indexes for matching and search by place: the activity reach with its range, the suppliers' matching columns

Revision ID: 0016_covering_indexes
Revises: 0015_digest_index
Create Date: 2026-11-24 01:00:00

"""
from alembic import op

revision = '0016_covering_indexes'
down_revision = '0015_digest_index'
branch_labels = None
depends_on = None

REACH_BEFORE = ['department_code', 'sector_id', 'supplier_id']
REACH_AFTER = REACH_BEFORE + ['geo_range', 'service_kinds', 'radius_km', 'latitude', 'longitude', 'activity_id']


def upgrade():
    op.drop_index('ix_activity_reach_lookup', table_name='activity_reach')
    op.create_index('ix_activity_reach_lookup', 'activity_reach', REACH_AFTER, unique=False)
    op.create_index('ix_suppliers_matching', 'suppliers',
                    ['id', 'is_listed', 'kind', 'completion', 'latitude', 'longitude', 'email'], unique=False)


def downgrade():
    op.drop_index('ix_suppliers_matching', table_name='suppliers')
    op.drop_index('ix_activity_reach_lookup', table_name='activity_reach')
    op.create_index('ix_activity_reach_lookup', 'activity_reach', REACH_BEFORE, unique=False)
