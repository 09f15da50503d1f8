"""Which listed suppliers match the words of a search (and the departments reached),
in relevance order, on the database's own full-text index (see search_index).

Relevance: the suppliers whose name holds every word, then the others; within each
tier, the search documents' sort key (most complete profile first, then the oldest).
"""

from sqlalchemy import Integer, case, func, select, text

from marketplace.extensions import db
from marketplace.suppliers import search_index
from marketplace.suppliers.models import FRANCE_WIDE, SupplierSearchDocument
from marketplace.suppliers.search_text import terms


class Fts5Matches:
    """SQLite: FTS5 hands the matches over in rowid (sort key) order, so a page reads
    the tiers in turn and stops at its last row, ranking nothing beyond it."""

    def __init__(self, words: list[str], departments: list[str] | None):
        every = "(" + " AND ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']) + ")"  # last: a prefix
        place = "" if not departments else " AND facets : (" + " OR ".join(
            search_index.department_token(code) for code in [*departments, FRANCE_WIDE]) + ")"
        self.anywhere = f"{{name_text body_text}} : {every}{place}"
        self.named = f"name_text : {every}{place}"
        self.others = f"({self.anywhere}) NOT (name_text : {every})"

    def page_and_total(self, limit: int, offset: int) -> tuple[list[int], int]:
        total = self._count(self.anywhere)
        if not total:
            return [], 0
        if offset == 0:  # a short first page of the named tier is the whole tier: no count needed
            ids = self._page(self.named, limit, 0)
            named = len(ids) if len(ids) < limit else total
        else:
            named = self._count(self.named)
            ids = self._page(self.named, limit, offset) if offset < named else []
        if len(ids) < limit and total > named:
            ids += self._page(self.others, limit - len(ids), max(0, offset - named))
        return ids, total

    def ranked(self):
        """A subquery of (supplier_id, rank): 0 for the named tier, 1 for the others."""
        # Materialized, so that the match runs once and drives the join (not once per supplier).
        # Not an injection (B608): the only value formatted in is the constant id mask; the matches are bound.
        return text(
            f"SELECT rowid & {search_index.SUPPLIER_ID_MASK} AS supplier_id, 0 AS rank FROM supplier_fts "  # nosec B608
            "WHERE supplier_fts MATCH :named UNION ALL "
            f"SELECT rowid & {search_index.SUPPLIER_ID_MASK}, 1 FROM supplier_fts WHERE supplier_fts MATCH :others"
        ).bindparams(named=self.named, others=self.others).columns(
            supplier_id=Integer, rank=Integer).cte("text_match").prefix_with("MATERIALIZED")

    @staticmethod
    def _count(match: str) -> int:
        return db.session.scalar(text("SELECT count(*) FROM supplier_fts WHERE supplier_fts MATCH :m"), {"m": match})

    @staticmethod
    def _page(match: str, limit: int, offset: int) -> list[int]:
        keys = db.session.scalars(text(
            "SELECT rowid FROM supplier_fts WHERE supplier_fts MATCH :m ORDER BY rowid LIMIT :limit OFFSET :skip"),
            {"m": match, "limit": limit, "skip": offset})
        return [search_index.supplier_id_of(key) for key in keys]


class PostgresMatches:
    """PostgreSQL: the stored tsvectors' GIN indexes find the matches; one pass counts
    them and sorts out only the page's rows (top-N)."""

    def __init__(self, words: list[str], departments: list[str] | None):
        document = SupplierSearchDocument
        tsquery = func.to_tsquery("simple", " & ".join(words[:-1] + [words[-1] + ":*"]))  # last: a prefix
        self.place = [facet_condition(departments)] if departments else []
        self.anywhere = [document.text_vector.op("@@")(tsquery), *self.place]
        self.tier = case((document.name_vector.op("@@", is_comparison=True)(tsquery), 0), else_=1)

    def page_and_total(self, limit: int, offset: int) -> tuple[list[int], int]:
        document = SupplierSearchDocument
        rows = db.session.execute(
            select(document.supplier_id, func.count().over().label("total")).where(*self.anywhere)
            .order_by(self.tier, document.sort_key).limit(limit).offset(offset)).all()
        if rows or offset == 0:
            return [row.supplier_id for row in rows], rows[0].total if rows else 0
        return [], db.session.scalar(select(func.count()).select_from(document).where(*self.anywhere))

    def ranked(self):
        """A subquery of (supplier_id, rank): 0 for the named tier, 1 for the others."""
        return select(SupplierSearchDocument.supplier_id, self.tier.label("rank")).where(*self.anywhere).subquery(
            "text_match")


def facet_condition(departments: list[str]):
    """PostgreSQL: the document reaches one of the departments (or all of France)."""
    tokens = " | ".join(search_index.department_token(code) for code in [*departments, FRANCE_WIDE])
    return SupplierSearchDocument.facets_vector.op("@@")(func.to_tsquery("simple", tokens))


def text_matches(query: str, departments: list[str] | None = None) -> Fts5Matches | PostgresMatches | None:
    """The matches of the words of `query` on this database; None when it has no word."""
    words = terms(query)
    if not words:
        return None
    return (Fts5Matches if search_index.is_sqlite() else PostgresMatches)(words, departments)
