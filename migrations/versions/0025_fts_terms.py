"""SQLite: the full-text index's vocabulary as a table (fts5vocab), for typo tolerance:
a word that matches nothing is replaced by the closest term the index holds

Revision ID: 0025_fts_terms
Revises: 0024_digest_told_index
Create Date: 2026-12-06 10:30:00

"""
from alembic import op

revision = '0025_fts_terms'
down_revision = '0024_digest_told_index'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS supplier_fts_terms USING fts5vocab(supplier_fts, 'row')")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS supplier_fts_terms")
