"""search documents ordered by relevance: a sort key (the FTS5 rowid on SQLite) and, on PostgreSQL, a name tsvector

Revision ID: 0014_search_order
Revises: 0013_run_started
Create Date: 2026-11-24 00:40:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from marketplace.suppliers import search_index

revision = '0014_search_order'
down_revision = '0013_run_started'
branch_labels = None
depends_on = None

SORT_KEY = (
    "(100 - coalesce((SELECT completion FROM suppliers WHERE suppliers.id = supplier_search_documents.supplier_id), 0))"
    f" * {1 << search_index.SUPPLIER_ID_BITS} + supplier_id"
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table('supplier_search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_key', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('name_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'),
                                      nullable=True))
    op.execute(f"UPDATE supplier_search_documents SET sort_key = {SORT_KEY}")
    with op.batch_alter_table('supplier_search_documents', schema=None) as batch_op:
        batch_op.alter_column('sort_key', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_supplier_search_documents_sort_key'), ['sort_key'])
    if postgres:
        op.execute(f"UPDATE supplier_search_documents SET name_vector = {search_index.PG_NAME_VECTOR}")
        op.execute(search_index.PG_NAME_CREATE)
    else:  # the FTS5 rows take their sort key as rowid
        op.execute("DELETE FROM supplier_fts")
        op.execute("INSERT INTO supplier_fts (rowid, name_text, body_text, facets) "
                   "SELECT sort_key, name_text, body_text, facets FROM supplier_search_documents")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_supplier_search_name")
    else:
        op.execute("DELETE FROM supplier_fts")
        op.execute("INSERT INTO supplier_fts (rowid, name_text, body_text, facets) "
                   "SELECT supplier_id, name_text, body_text, facets FROM supplier_search_documents")
    with op.batch_alter_table('supplier_search_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_supplier_search_documents_sort_key'), type_='unique')
        batch_op.drop_column('name_vector')
        batch_op.drop_column('sort_key')
