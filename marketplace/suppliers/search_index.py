"""The full-text index behind supplier search, one per database.

- SQLite: the FTS5 table `supplier_fts`, kept in step with `supplier_search_documents`
  by `write_document`. Its rowid is the document's sort key, so that FTS5 hands the
  matches over already in relevance order and a page stops after its last row.
- PostgreSQL: GIN indexes on the stored tsvectors of `supplier_search_documents` (the
  whole text, the name alone, the facets), a b-tree on the sort key, another on the sort
  key carrying the supplier id and the name's tsvector (a name's words are few, so that
  its entries stay small), and a pg_trgm index on the name for typo-tolerant matching.

Relevance, the same on both: suppliers whose name holds every word first, then the
others; within each, the most complete profiles first, then the oldest. The sort key
packs the last two: (100 - completion) << 32 | supplier id.

Alembic's autogenerate knows nothing of these objects: `include_object` hides them.
"""

from sqlalchemy import delete, literal_column, select, text

from marketplace.extensions import db
from marketplace.suppliers.models import SupplierSearchDocument


def _pg_vectors(name: str, body: str, facets: str) -> dict[str, str]:
    """How PostgreSQL's stored vectors are computed from a document's texts (SQL operands)."""
    return {"text_vector": f"setweight(to_tsvector('simple', {name}), 'A') || "
                           f"setweight(to_tsvector('simple', {body}), 'B')",
            "facets_vector": f"to_tsvector('simple', {facets})", "name_vector": f"to_tsvector('simple', {name})"}


PG_VECTORS = _pg_vectors("name_text", "body_text", "facets")
PG_NAME_VECTOR = PG_VECTORS["name_vector"]
SUPPLIER_ID_BITS = 32
SUPPLIER_ID_MASK = (1 << SUPPLIER_ID_BITS) - 1

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
PG_NAME_CREATE = ("CREATE INDEX IF NOT EXISTS ix_supplier_search_name ON supplier_search_documents "
                  "USING gin (name_vector)")
PG_DROP = ["DROP INDEX IF EXISTS ix_supplier_search_facets", "DROP INDEX IF EXISTS ix_supplier_search_trgm",
           "DROP INDEX IF EXISTS ix_supplier_search_fts"]
PG_NAMED_ORDER_CREATE = ("CREATE INDEX IF NOT EXISTS ix_supplier_search_named ON supplier_search_documents "
                         "(sort_key) INCLUDE (supplier_id, name_vector)")
HIDDEN_INDEXES = {"ix_supplier_search_fts", "ix_supplier_search_trgm", "ix_supplier_search_facets",
                  "ix_supplier_search_name", "ix_supplier_search_named"}


def sort_key(supplier_id: int, completion: int | None) -> int:
    """Where a document stands among equally relevant ones: most complete first, then oldest."""
    return ((100 - (completion or 0)) << SUPPLIER_ID_BITS) | supplier_id


def supplier_id_of(key: int) -> int:
    return key & SUPPLIER_ID_MASK


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


def write_document(supplier_id: int, completion: int | None, name_text: str, body_text: str, facets: str) -> None:
    """Store (or replace) a supplier's search document, in the same transaction."""
    document = db.session.get(SupplierSearchDocument, supplier_id)
    key = sort_key(supplier_id, completion)
    if document is None:
        db.session.add(SupplierSearchDocument(supplier_id=supplier_id, sort_key=key, name_text=name_text,
                                              body_text=body_text, facets=facets))
        old_key = None
    else:
        old_key = document.sort_key
        document.sort_key, document.name_text, document.body_text, document.facets = key, name_text, body_text, facets
    db.session.flush()
    _refresh_vectors([supplier_id])
    if is_sqlite():
        db.session.execute(text("DELETE FROM supplier_fts WHERE rowid IN (:old, :new)"), {"old": old_key, "new": key})
        db.session.execute(
            text("INSERT INTO supplier_fts (rowid, name_text, body_text, facets) VALUES (:key, :name, :body, :facets)"),
            {"key": key, "name": name_text, "body": body_text, "facets": facets},
        )


def optimize() -> None:
    """SQLite, after a bulk load: merge the full-text index's segments into one, which
    reads about twice as fast as the many a bulk load leaves (FTS5 only merges a few at
    a time as it goes)."""
    if is_sqlite():
        db.session.execute(text("INSERT INTO supplier_fts (supplier_fts) VALUES ('optimize')"))


def _refresh_vectors(supplier_ids: list[int]) -> None:
    """On PostgreSQL, compute the stored tsvectors of these documents."""
    if is_sqlite() or not supplier_ids:
        return
    table = SupplierSearchDocument.__table__
    db.session.execute(table.update().where(table.c.supplier_id.in_(supplier_ids)).values(
        {column: literal_column(expression) for column, expression in PG_VECTORS.items()}))


def _remove(supplier_ids: list[int]) -> None:
    """Take these suppliers' documents out of the index and the table."""
    if is_sqlite():
        keys = [{"key": key} for key in db.session.scalars(select(SupplierSearchDocument.sort_key).where(
            SupplierSearchDocument.supplier_id.in_(supplier_ids)))]
        if keys:
            db.session.execute(text("DELETE FROM supplier_fts WHERE rowid = :key"), keys)
    db.session.execute(delete(SupplierSearchDocument).where(SupplierSearchDocument.supplier_id.in_(supplier_ids)))


def delete_document(supplier_id: int) -> None:
    _remove([supplier_id])


def write_documents(rows: list[dict]) -> None:
    """Bulk version for imports and demo data: rows of supplier_id, completion, name_text, body_text, facets."""
    if not rows:
        return
    ids = [r["supplier_id"] for r in rows]
    _remove(ids)
    documents = [{"supplier_id": r["supplier_id"], "sort_key": sort_key(r["supplier_id"], r["completion"]),
                  "name_text": r["name_text"], "body_text": r["body_text"], "facets": r["facets"]} for r in rows]
    if is_sqlite():
        db.session.execute(SupplierSearchDocument.__table__.insert(), documents)
        db.session.execute(
            text("INSERT INTO supplier_fts (rowid, name_text, body_text, facets) "
                 "VALUES (:sort_key, :name_text, :body_text, :facets)"),
            documents,
        )
    else:  # vectors computed on the way in: each row written once
        vectors = _pg_vectors("CAST(:name_text AS text)", "CAST(:body_text AS text)", "CAST(:facets AS text)")
        # Not an injection (B608): the formatted parts are this module's constant column names and expressions.
        db.session.execute(text(
            "INSERT INTO supplier_search_documents (supplier_id, sort_key, name_text, body_text, facets, "  # nosec B608
            f"{', '.join(vectors)}) VALUES (:supplier_id, :sort_key, :name_text, :body_text, :facets, "
            f"{', '.join(vectors.values())})"), documents)
