"""Which listed suppliers match the words of a search (and the departments reached),
in relevance order, on the database's own full-text index (see search_index).

Relevance: the suppliers whose name holds every word (the named tier), then the others;
within each tier, the search documents' sort key (most complete profile first, then the
oldest). Both backends page the same way (TieredMatches): count the matches, count the
named tier, then read the page from one tier or both, in sort key order.

The count may stop at a bound (search_pages.COUNT_AT_MOST), so that no search waits for the
index to count every match of a common word ("insertion": 64,000 of 200,000).
"""

from sqlalchemy import Integer, case, func, literal, not_, select, text

from marketplace.extensions import db
from marketplace.suppliers import search_index
from marketplace.suppliers.models import FRANCE_WIDE, SupplierSearchDocument
from marketplace.suppliers.search_pages import Found
from marketplace.suppliers.search_text import terms


class TieredMatches:
    """One page of the matches and their total, tier by tier; the backends say how a
    condition (`anywhere`, `named`, `others`) is counted (up to a bound) and paged."""

    anywhere = named = others = None

    def page_and_total(self, limit: int, offset: int, bound: int | None = None) -> Found:
        """The page, and the total counted as far as `bound` (all of it without one)."""
        total = self._count(self.anywhere, bound)
        if not total:
            return Found([], 0)
        exact = bound is None or total <= bound
        wanted = limit + 1  # one more row: whether another page follows
        if offset == 0:  # a short first page of the named tier is the whole tier: no count needed
            ids = self._page(self.named, wanted, 0)
            named = len(ids) if len(ids) < wanted else None
        else:  # counted as far as the page: past it, the page lies in the named tier
            named = self._count(self.named, offset + wanted - 1)
            ids = self._page(self.named, wanted, offset) if offset < named else []
        if len(ids) < wanted and named is not None and (not exact or total > named):
            ids += self._page(self.others, wanted - len(ids), max(0, offset - named))
        return Found(ids[:limit], total if exact else bound, exact, len(ids) > limit)

    def _count(self, condition, at_most: int | None) -> int:
        """The matches of the condition; past `at_most`, at_most + 1."""
        raise NotImplementedError

    def _page(self, condition, limit: int, offset: int) -> list[int]:
        raise NotImplementedError


class Fts5Matches(TieredMatches):
    """SQLite: FTS5 hands the matches over in rowid (sort key) order, so a page reads
    its tier's doclist and stops at its last row, ranking nothing beyond it."""

    def __init__(self, words: list[str], departments: list[str] | None):
        every = "(" + " AND ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']) + ")"  # last: a prefix
        place = "" if not departments else " AND facets : (" + " OR ".join(
            search_index.department_token(code) for code in [*departments, FRANCE_WIDE]) + ")"
        self.anywhere = f"{{name_text body_text}} : {every}{place}"
        self.named = f"name_text : {every}{place}"
        self.others = f"({self.anywhere}) NOT (name_text : {every})"

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

    def _count(self, match: str, at_most: int | None) -> int:
        return db.session.scalar(text(
            "SELECT count(*) FROM (SELECT 1 FROM supplier_fts WHERE supplier_fts MATCH :m LIMIT :n)"),
            {"m": match, "n": -1 if at_most is None else at_most + 1})

    def _page(self, match: str, limit: int, offset: int) -> list[int]:
        keys = db.session.scalars(text(
            "SELECT rowid FROM supplier_fts WHERE supplier_fts MATCH :m ORDER BY rowid LIMIT :limit OFFSET :skip"),
            {"m": match, "limit": limit, "skip": offset})
        return [search_index.supplier_id_of(key) for key in keys]


class PostgresMatches(TieredMatches):
    """PostgreSQL: the stored tsvectors' GIN indexes find the matches; a bounded count
    stops at its bound (the planner walks the table while the matches are dense). The
    named tier is paged (and counted) from the sort key index alone, which carries the
    name's tsvector (ix_supplier_search_named); the others from the GIN or the sort key
    index, whichever the planner deems cheaper."""

    def __init__(self, words: list[str], departments: list[str] | None):
        document = SupplierSearchDocument
        tsquery = func.to_tsquery("simple", " & ".join(words[:-1] + [words[-1] + ":*"]))  # last: a prefix
        place = [facet_condition(departments)] if departments else []
        in_name = document.name_vector.op("@@", is_comparison=True)(tsquery)
        self.anywhere = [document.text_vector.op("@@")(tsquery), *place]
        self.named = [in_name, *place]  # the name's words are among the whole text's
        self.others = [*self.anywhere, not_(in_name)]
        self.tier = case((in_name, 0), else_=1)

    def ranked(self):
        """A subquery of (supplier_id, rank): 0 for the named tier, 1 for the others."""
        return select(SupplierSearchDocument.supplier_id, self.tier.label("rank")).where(*self.anywhere).subquery(
            "text_match")

    def _count(self, conditions: list, at_most: int | None) -> int:
        matches = select(literal(1)).select_from(SupplierSearchDocument).where(*conditions)
        if at_most is not None:
            matches = matches.limit(at_most + 1)
        return db.session.scalar(select(func.count()).select_from(matches.subquery()))

    def _page(self, conditions: list, limit: int, offset: int) -> list[int]:
        document = SupplierSearchDocument
        return list(db.session.scalars(select(document.supplier_id).where(*conditions)
                                       .order_by(document.sort_key).limit(limit).offset(offset)))


def facet_condition(departments: list[str]):
    """PostgreSQL: the document reaches one of the departments (or all of France)."""
    tokens = " | ".join(search_index.department_token(code) for code in [*departments, FRANCE_WIDE])
    return SupplierSearchDocument.facets_vector.op("@@")(func.to_tsquery("simple", tokens))


def text_matches(query: str, departments: list[str] | None = None) -> TieredMatches | None:
    """The matches of the words of `query` on this database; None when it has no word."""
    words = terms(query)
    if not words:
        return None
    return (Fts5Matches if search_index.is_sqlite() else PostgresMatches)(words, departments)


_vocabularies: dict[str, tuple[object, list[str]]] = {}


def _index_terms() -> list[str]:
    """Every term of the SQLite index. Reading them all scans it (150 ms at 200,000
    suppliers), so they are kept per process until a supplier changes (the latest
    change is read from an index: a few hundredths of a millisecond)."""
    key = str(db.engine.url)
    # Two queries: SQLite reads a single max() from the end of an index, not two at once.
    version = (db.session.scalar(text("SELECT max(updated_at) FROM suppliers")),
               db.session.scalar(text("SELECT max(id) FROM suppliers")))
    seen, terms_ = _vocabularies.get(key, (None, []))
    if seen != version:
        terms_ = list(db.session.scalars(text("SELECT term FROM supplier_fts_terms")))
        _vocabularies[key] = (version, terms_)
    return terms_


def similar_terms(words: list[str]) -> list[str] | None:
    """SQLite, when the words match nothing: each word the index does not hold replaced
    by the closest term it holds (one letter off, two past 7 letters; RapidFuzz's edit
    distance over the FTS5 vocabulary, supplier_fts_terms), for typos in names and
    descriptions. None when no word could be mended."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    vocabulary = None
    mended, changed = [], False
    for word in words:
        if db.session.scalar(text("SELECT 1 FROM supplier_fts_terms WHERE term >= :w AND term < :end LIMIT 1"),
                             {"w": word, "end": word + "\uffff"}):
            mended.append(word)
            continue
        if vocabulary is None:
            vocabulary = _index_terms()
        allowed = 1 if len(word) <= 7 else 2
        best = process.extractOne(word, vocabulary, scorer=Levenshtein.distance, score_cutoff=allowed) \
            if len(word) >= 4 else None
        if best is None:
            return None
        mended.append(best[0])
        changed = True
    return mended if changed else None


def similar_names(query: str, departments: list[str] | None):
    """PostgreSQL, when the words match nothing: names alike (pg_trgm), for typos."""
    words = terms(query)
    if not words:
        return None
    document, phrase = SupplierSearchDocument, " ".join(words)
    return (
        select(document.supplier_id, (-func.similarity(document.name_text, phrase)).label("rank"))
        .where(document.name_text.op("%")(phrase), *([facet_condition(departments)] if departments else []))
        .subquery("text_match")
    )
