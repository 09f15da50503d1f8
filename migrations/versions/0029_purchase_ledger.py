"""The purchase ledger and OETH: imported purchase files and their lines (matched to
the directory), a buyer's OETH inputs per year, and the contracts EA and ESAT declare
for their clients' attestations

Revision ID: 0029_purchase_ledger
Revises: 0028_online_meetings
Create Date: 2026-12-06 15:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0029_purchase_ledger'
down_revision = '0028_online_meetings'
branch_labels = None
depends_on = None

MATCH = sa.Enum('siret', 'siren', 'not_listed', 'unknown', name='matchkind', native_enum=False, length=20)
STATUS = sa.Enum('draft', 'done', name='importstatus', native_enum=False, length=20)


def upgrade():
    op.create_table(
        'purchase_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('status', STATUS, nullable=False),
        sa.Column('mapping', sa.Text(), nullable=True),
        sa.Column('lines_added', sa.Integer(), nullable=False),
        sa.Column('duplicates', sa.Integer(), nullable=False),
        sa.Column('errors', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_purchase_imports_created_by_id_users')),
        sa.ForeignKeyConstraint(['organisation_id'], ['buyer_organisations.id'],
                                name=op.f('fk_purchase_imports_organisation_id_buyer_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_imports')),
    )
    op.create_index(op.f('ix_purchase_imports_organisation_id'), 'purchase_imports', ['organisation_id'])
    op.create_table(
        'purchase_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('purchased_on', sa.Date(), nullable=False),
        sa.Column('supplier_siret', sa.String(length=14), nullable=True),
        sa.Column('supplier_siren', sa.String(length=9), nullable=True),
        sa.Column('supplier_name', sa.String(length=200), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('category', sa.String(length=120), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=True),
        sa.Column('match', MATCH, nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['purchase_imports.id'],
                                name=op.f('fk_purchase_lines_import_id_purchase_imports')),
        sa.ForeignKeyConstraint(['organisation_id'], ['buyer_organisations.id'],
                                name=op.f('fk_purchase_lines_organisation_id_buyer_organisations')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_purchase_lines_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_lines')),
        sa.UniqueConstraint('organisation_id', 'fingerprint', name=op.f('uq_purchase_lines_organisation_id')),
    )
    op.create_index(op.f('ix_purchase_lines_import_id'), 'purchase_lines', ['import_id'])
    op.create_index(op.f('ix_purchase_lines_supplier_id'), 'purchase_lines', ['supplier_id'])
    op.create_index('ix_purchase_lines_organisation_year', 'purchase_lines', ['organisation_id', 'year'])
    op.create_table(
        'oeth_inputs',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('gross_contribution_cents', sa.BigInteger(), nullable=True),
        sa.Column('direct_rate', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['buyer_organisations.id'],
                                name=op.f('fk_oeth_inputs_organisation_id_buyer_organisations')),
        sa.PrimaryKeyConstraint('organisation_id', 'year', name=op.f('pk_oeth_inputs')),
    )
    op.create_table(
        'oeth_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('client_siret', sa.String(length=14), nullable=False),
        sa.Column('client_name', sa.String(length=200), nullable=False),
        sa.Column('reference', sa.String(length=120), nullable=False),
        sa.Column('price_cents', sa.BigInteger(), nullable=False),
        sa.Column('excluded_costs_cents', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_oeth_declarations_created_by_id_users')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_oeth_declarations_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oeth_declarations')),
        sa.UniqueConstraint('supplier_id', 'year', 'client_siret', 'reference',
                            name=op.f('uq_oeth_declarations_supplier_id')),
    )
    op.create_index(op.f('ix_oeth_declarations_supplier_id'), 'oeth_declarations', ['supplier_id'])
    op.create_index(op.f('ix_oeth_declarations_client_siret'), 'oeth_declarations', ['client_siret'])


def downgrade():
    op.drop_table('oeth_declarations')
    op.drop_table('oeth_inputs')
    op.drop_table('purchase_lines')
    op.drop_table('purchase_imports')
