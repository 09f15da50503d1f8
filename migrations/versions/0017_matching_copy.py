"""the supplier's state matching reads (can be told, kind, completion) copied onto its activity rows

Matching a need then reads one covering index (the activities by sector, or their reach
by department and sector) and no supplier row. Each reach row also says whether the
activity serves the whole department (France-wide, a department or region zone), so that
only radius and commune-zone rows are checked against a need's disc; an activity's
zones are read from a covering index.

Revision ID: 0017_matching_copy
Revises: 0016_covering_indexes
Create Date: 2026-12-02 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_matching_copy'
down_revision = '0016_covering_indexes'
branch_labels = None
depends_on = None

COPY = ['supplier_contactable', 'supplier_kind', 'supplier_completion']
KINDS = ['EI', 'AI', 'ACI', 'ETTI', 'EITI', 'GEIQ', 'EA', 'EATT', 'ESAT', 'ESS', 'CONSORTIUM']
ACTIVITIES_BEFORE = ['sector_id', 'supplier_id', 'service_kinds']
REACH_BEFORE = ['department_code', 'sector_id', 'supplier_id', 'geo_range', 'service_kinds', 'radius_km', 'latitude',
                'longitude', 'activity_id']
INDEXES = (('ix_supplier_activities_matching', 'supplier_activities', ACTIVITIES_BEFORE, COPY),
           ('ix_activity_reach_lookup', 'activity_reach', REACH_BEFORE, ['whole_department'] + COPY))
WHOLE_DEPARTMENT = """
    geo_range = 'france' OR EXISTS (
        SELECT 1 FROM activity_zones z WHERE z.activity_id = activity_reach.activity_id
        AND ((z.zone_type = 'department' AND z.code = activity_reach.department_code)
             OR (z.zone_type = 'region' AND z.code = (
                 SELECT d.region_code FROM departments d WHERE d.code = activity_reach.department_code))))"""
SUPPLIER_STATE = """
    (SELECT s.is_listed AND coalesce(s.email, '') <> '', s.kind, s.completion FROM suppliers s
     WHERE s.id = {table}.supplier_id)"""


def upgrade():
    op.add_column('activity_reach', sa.Column('whole_department', sa.Boolean(), server_default=sa.false(),
                                              nullable=False))
    op.execute(f"UPDATE activity_reach SET whole_department = ({WHOLE_DEPARTMENT})")
    for _index, table, _columns, _added in INDEXES:
        op.add_column(table, sa.Column('supplier_contactable', sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
        op.add_column(table, sa.Column('supplier_kind', sa.Enum(*KINDS, name='supplierkind', native_enum=False,
                                                                length=20), nullable=True))
        op.add_column(table, sa.Column('supplier_completion', sa.Integer(), server_default=sa.text('0'),
                                       nullable=False))
        op.execute(f"UPDATE {table} SET ({', '.join(COPY)}) = {SUPPLIER_STATE.format(table=table)}")
    for index, table, columns, added in INDEXES:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, columns + added, unique=False)
    op.drop_index('ix_suppliers_matching', table_name='suppliers')
    op.drop_index('ix_activity_zones_activity_id', table_name='activity_zones')
    op.create_index('ix_activity_zones_activity', 'activity_zones', ['activity_id', 'zone_type', 'code'], unique=False)


def downgrade():
    op.drop_index('ix_activity_zones_activity', table_name='activity_zones')
    op.create_index('ix_activity_zones_activity_id', 'activity_zones', ['activity_id'], unique=False)
    op.create_index('ix_suppliers_matching', 'suppliers',
                    ['id', 'is_listed', 'kind', 'completion', 'latitude', 'longitude', 'email'], unique=False)
    for index, table, columns, added in INDEXES:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, columns, unique=False)
        with op.batch_alter_table(table) as batch_op:
            for column in added:
                batch_op.drop_column(column)
