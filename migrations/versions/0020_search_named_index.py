"""PostgreSQL: the search documents' sort key index carrying the name's tsvector, so that
the named tier of a text search is paged and counted from the index alone

Revision ID: 0020_search_named_index
Revises: 0019_listed_copy
Create Date: 2026-12-02 06:50:00

"""
from alembic import op

from marketplace.suppliers import search_index

revision = '0020_search_named_index'
down_revision = '0019_listed_copy'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(search_index.PG_NAMED_ORDER_CREATE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_supplier_search_named")
