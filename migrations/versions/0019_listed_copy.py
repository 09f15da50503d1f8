"""whether the supplier is listed, copied onto its activity rows, so that filtered searches read them alone

Revision ID: 0019_listed_copy
Revises: 0018_activity_places
Create Date: 2026-12-02 03:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_listed_copy'
down_revision = '0018_activity_places'
branch_labels = None
depends_on = None

COPY = ['supplier_contactable', 'supplier_kind', 'supplier_completion']
INDEXES = (
    ('ix_supplier_activities_matching', 'supplier_activities', ['sector_id', 'supplier_id', 'service_kinds'] + COPY),
    ('ix_activity_reach_lookup', 'activity_reach',
     ['department_code', 'sector_id', 'supplier_id', 'geo_range', 'service_kinds', 'radius_km', 'latitude',
      'longitude', 'activity_id', 'whole_department'] + COPY),
)
PLACE_BEFORE = ['sector_id', 'latitude', 'longitude', 'supplier_id', 'service_kinds']


def upgrade():
    for _index, table, _columns in INDEXES:
        op.add_column(table, sa.Column('supplier_listed', sa.Boolean(), server_default=sa.false(), nullable=False))
        op.execute(f"UPDATE {table} SET supplier_listed = "
                   f"(SELECT s.is_listed FROM suppliers s WHERE s.id = {table}.supplier_id)")
    for index, table, columns in INDEXES:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, columns + ['supplier_listed'], unique=False)
    op.drop_index('ix_supplier_activities_place', table_name='supplier_activities')
    op.create_index('ix_supplier_activities_place', 'supplier_activities', PLACE_BEFORE + COPY + ['supplier_listed'],
                    unique=False)


def downgrade():
    op.drop_index('ix_supplier_activities_place', table_name='supplier_activities')
    op.create_index('ix_supplier_activities_place', 'supplier_activities', PLACE_BEFORE, unique=False)
    for index, table, columns in INDEXES:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, columns, unique=False)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('supplier_listed')
