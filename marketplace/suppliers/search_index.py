"""The full-text index behind supplier search, one per database.

- SQLite: the FTS5 table `supplier_fts` (rowid = supplier id), kept in step with
  `supplier_search_documents` by `write_document`.
- PostgreSQL: a GIN index on the weighted tsvector of `supplier_search_documents`
  (name A, the rest B), and a pg_trgm index on the name for typo-tolerant matching.

Alembic's autogenerate knows nothing of these objects: `include_object` hides them.
"""

from sqlalchemy import delete, literal_column, text

from marketplace.extensions import db
from marketplace.suppliers.models import SupplierSearchDocument

# How PostgreSQL's stored vectors are computed from a document's texts.
PG_TEXT_VECTOR = "setweight(to_tsvector('simple', name_text), 'A') || setweight(to_tsvector('simple', body_text), 'B')"
PG_FACETS_VECTOR = "to_tsvector('simple', facets)"

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS supplier_fts USING fts5("
    "name_text, body_text, facets, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS supplier_fts"]
PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_supplier_search_fts ON supplier_search_documents USING gin (text_vector)",
    "CREATE INDEX IF NOT EXISTS ix_supplier_search_trgm ON supplier_search_documents "
    "USING gin (name_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_supplier_search_facets ON supplier_search_documents USING gin (facets_vector)",
]
PG_DROP = ["DROP INDEX IF EXISTS ix_supplier_search_facets", "DROP INDEX IF EXISTS ix_supplier_search_trgm",
           "DROP INDEX IF EXISTS ix_supplier_search_fts"]
HIDDEN_INDEXES = {"ix_supplier_search_fts", "ix_supplier_search_trgm", "ix_supplier_search_facets"}


def department_token(code: str) -> str:
    """The facet token of a department ('*' is France-wide): 'd13', 'd2a', 'dall'."""
    return "dall" if code == "*" else f"d{code.lower()}"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic: leave the search index objects out of autogenerate."""
    if type_ == "table" and name and name.startswith("supplier_fts"):
        return False
    return not (type_ == "index" and name in HIDDEN_INDEXES)


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def write_document(supplier_id: int, name_text: str, body_text: str, facets: str) -> None:
    """Store (or replace) a supplier's search document, in the same transaction."""
    document = db.session.get(SupplierSearchDocument, supplier_id)
    if document is None:
        db.session.add(SupplierSearchDocument(supplier_id=supplier_id, name_text=name_text, body_text=body_text,
                                              facets=facets))
    else:
        document.name_text, document.body_text, document.facets = name_text, body_text, facets
    db.session.flush()
    _refresh_vectors([supplier_id])
    if is_sqlite():
        db.session.execute(text("DELETE FROM supplier_fts WHERE rowid = :id"), {"id": supplier_id})
        db.session.execute(
            text("INSERT INTO supplier_fts (rowid, name_text, body_text, facets) VALUES (:id, :name, :body, :facets)"),
            {"id": supplier_id, "name": name_text, "body": body_text, "facets": facets},
        )


def _refresh_vectors(supplier_ids: list[int]) -> None:
    """On PostgreSQL, compute the stored tsvectors of these documents."""
    if is_sqlite() or not supplier_ids:
        return
    table = SupplierSearchDocument.__table__
    db.session.execute(
        table.update().where(table.c.supplier_id.in_(supplier_ids))
        .values(text_vector=literal_column(PG_TEXT_VECTOR), facets_vector=literal_column(PG_FACETS_VECTOR)))


def delete_document(supplier_id: int) -> None:
    db.session.execute(delete(SupplierSearchDocument).where(SupplierSearchDocument.supplier_id == supplier_id))
    if is_sqlite():
        db.session.execute(text("DELETE FROM supplier_fts WHERE rowid = :id"), {"id": supplier_id})


def write_documents(rows: list[dict]) -> None:
    """Bulk version for imports and demo data: rows of supplier_id, name_text, body_text, facets."""
    if not rows:
        return
    ids = [r["supplier_id"] for r in rows]
    db.session.execute(delete(SupplierSearchDocument).where(SupplierSearchDocument.supplier_id.in_(ids)))
    db.session.execute(SupplierSearchDocument.__table__.insert(), rows)
    _refresh_vectors(ids)
    if is_sqlite():
        db.session.execute(text("DELETE FROM supplier_fts WHERE rowid = :id"), [{"id": i} for i in ids])
        db.session.execute(
            text("INSERT INTO supplier_fts (rowid, name_text, body_text, facets) "
                 "VALUES (:supplier_id, :name_text, :body_text, :facets)"),
            rows,
        )
