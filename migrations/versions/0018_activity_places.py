"""the supplier's place copied onto its activities, indexed by sector, for "within N km" searches by sector

Revision ID: 0018_activity_places
Revises: 0017_matching_copy
Create Date: 2026-12-02 03:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_activity_places'
down_revision = '0017_matching_copy'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('supplier_activities', sa.Column('latitude', sa.Float(), nullable=True))
    op.add_column('supplier_activities', sa.Column('longitude', sa.Float(), nullable=True))
    op.execute("UPDATE supplier_activities SET (latitude, longitude) = "
               "(SELECT s.latitude, s.longitude FROM suppliers s WHERE s.id = supplier_activities.supplier_id)")
    op.create_index('ix_supplier_activities_place', 'supplier_activities',
                    ['sector_id', 'latitude', 'longitude', 'supplier_id', 'service_kinds'], unique=False)


def downgrade():
    op.drop_index('ix_supplier_activities_place', table_name='supplier_activities')
    with op.batch_alter_table('supplier_activities') as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
