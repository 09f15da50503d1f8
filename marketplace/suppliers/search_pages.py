"""How a page of matching suppliers and their count are read, once the search service
(search.py) has said which suppliers match: sorted and paged in SQL, counted exactly or
up to COUNT_AT_MOST."""

from typing import NamedTuple

from sqlalchemy import func, literal_column, select

from marketplace.extensions import db
from marketplace.geography.models import Commune
from marketplace.geography.services import squared_km
from marketplace.suppliers.models import Supplier, SupplierActivity

# Past this many matches, a common word's or a national sector's count says "more than"
# (as search engines do: Elasticsearch tracks 10,000 hits by default), and the page
# fetches the exact figure apart (count_suppliers): no search waits for the database
# to count 64,000 matches.
COUNT_AT_MOST = 1000


class Found(NamedTuple):
    """A page of supplier ids and the number of matches: exact, or at least `total`
    (then `more` says whether another page follows)."""

    ids: list[int]
    total: int
    exact: bool = True
    more: bool = False


MERGED_SECTORS_AT_MOST = 6


def in_completion_order(conditions: list, page: int, per_page: int, sector_ids: list[int]) -> Found:
    """A few sectors' suppliers, most complete first (a national sector holds 30,000 of
    200,000): each sector's activities walked in that order (ix_supplier_activities_order)
    up to the page's end, merged, each supplier once; counted as far as COUNT_AT_MOST,
    as a text search is (the exact figure comes apart: count_suppliers)."""
    activity = SupplierActivity
    end = page * per_page + 1
    walked = {}
    counts = []
    for sector_id in sector_ids:
        ordered = (select(activity.supplier_completion, activity.supplier_id)
                   .where(*conditions, activity.sector_id == sector_id).distinct()
                   .order_by(activity.supplier_completion.desc(), activity.supplier_id.desc()))
        walked.update((supplier_id, completion) for completion, supplier_id in db.session.execute(ordered.limit(end)))
        counts.append(db.session.scalar(select(func.count()).select_from(
            ordered.limit(COUNT_AT_MOST + 1).subquery())))
    merged = sorted(walked, key=lambda supplier_id: (walked[supplier_id], supplier_id), reverse=True)
    ids = merged[(page - 1) * per_page:end]
    if len(sector_ids) == 1 or max(counts) > COUNT_AT_MOST:
        total = max(counts)
    else:  # a supplier may be in several of the sectors: count the distinct ones (at most a few thousand)
        total = db.session.scalar(select(func.count(func.distinct(activity.supplier_id))).where(
            *conditions, activity.sector_id.in_(sector_ids)))
    return Found(ids[:per_page], min(total, COUNT_AT_MOST), total <= COUNT_AT_MOST, len(ids) > per_page)


def _sort_value(sort: str, commune: Commune | None):
    """What a sort orders by after the rank (ties go by id)."""
    if sort == "distance":
        return func.coalesce(squared_km(Supplier.latitude, Supplier.longitude, commune.latitude, commune.longitude),
                             1e12)
    return Supplier.updated_at if sort == "updated" else Supplier.completion


def _ordering(sort: str, rank, value, supplier_id) -> tuple:
    if sort == "relevance":
        return rank, value.desc(), supplier_id
    if sort == "distance":
        return value, supplier_id
    return value.desc(), supplier_id.desc()


def page_and_total(statement, sort: str, commune, page: int, per_page: int, filtered: bool) -> Found:
    """One page of ids and the total count.

    Filtered: the matches are materialised first, with the value they are sorted by (so
    that no planner walks a whole ordering index hoping to stop early, nor joins the
    directory again to sort), then sorted, paged and counted in one pass.
    Unfiltered: the count and the page each read an index."""
    offset = (page - 1) * per_page
    if not filtered:
        total = db.session.scalar(select(func.count()).select_from(Supplier).where(Supplier.is_listed.is_(True)))
        paged = statement.order_by(*_ordering(sort, literal_column("rank"), _sort_value(sort, commune), Supplier.id))
        return Found(list(db.session.scalars(paged.limit(per_page).offset(offset))), total)
    found = statement.add_columns(_sort_value(sort, commune).label("sort_value")).cte("found").prefix_with(
        "MATERIALIZED")
    return page_of_found(found, sort, page, per_page)


def page_of_found(found, sort: str, page: int, per_page: int) -> Found:
    """One page of a materialised (id, rank, sort_value) set, and its size, in one pass."""
    offset = (page - 1) * per_page
    rows = db.session.execute(
        select(found.c.id, func.count().over().label("total"))
        .order_by(*_ordering(sort, found.c.rank, found.c.sort_value, found.c.id)).limit(per_page).offset(offset)).all()
    if rows:
        return Found([row.id for row in rows], rows[0].total)
    return Found([], db.session.scalar(select(func.count()).select_from(found)))


def ends_on(found: Found, page: int, per_page: int) -> bool:
    """Whether the matches of `found` end on this page (or before it)."""
    return len(found.ids) < per_page or (found.exact and (page - 1) * per_page + per_page >= found.total)


def followed_by(found: Found, after: list[int], page: int, per_page: int, count_first) -> Found:
    """A page of the activity matches (`found`) followed, past their last, by `after`.
    The activities' count is needed only on the page where they end (counted exactly
    by `count_first()` when a deep page starts past them)."""
    offset = (page - 1) * per_page
    if not ends_on(found, page, per_page):
        return Found(found.ids, found.total + len(after), found.exact, True)
    first_total = found.total if found.exact else (offset + len(found.ids) if found.ids else count_first())
    start = max(0, offset - first_total)
    room = per_page - len(found.ids)
    return Found(found.ids + after[start:start + room], first_total + len(after), True, start + room < len(after))
