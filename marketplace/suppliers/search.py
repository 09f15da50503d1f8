"""Supplier search: free text plus filters, ranked and paginated, on SQLite or PostgreSQL.

Text uses the full-text index of the database (search_index); activity filters
(sector, kind of service, the place served) read the derived `activity_reach` table,
so that sector and place must be met by one and the same activity.
"""

import math
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, false, func, literal_column, or_, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.geography.models import Commune
from marketplace.geography.services import KM_PER_DEGREE, place_of, squared_km
from marketplace.suppliers import hooks, search_index, search_pages, search_words
from marketplace.suppliers.models import (
    FRANCE_WIDE,
    ActivityReach,
    ActivityZone,
    ConsortiumMembership,
    GeoRange,
    MemberStatus,
    Supplier,
    SupplierActivity,
    SupplierLabel,
    SupplierNetwork,
    SupplierSearchDocument,
    ZoneType,
)
from marketplace.suppliers.search_pages import Found
from marketplace.suppliers.search_text import terms
from marketplace.suppliers.sector_lookup import sector_ids, sector_slug_known
from marketplace.suppliers.text_matches import Fts5Matches, similar_names, similar_terms, text_matches
from marketplace.suppliers.vocabulary import Understood

HEADCOUNT_BANDS = {"1-9": (1, 9), "10-49": (10, 49), "50-249": (50, 249), "250+": (250, None)}
TURNOVER_BANDS = {  # euros
    "0-100k": (0, 100_000), "100k-500k": (100_000, 500_000), "500k-2m": (500_000, 2_000_000),
    "2m+": (2_000_000, None),
}
SORTS = ("relevance", "distance", "completion", "updated")
FILTER_KEYS = ("sectors", "sector_groups", "kinds", "service_kinds", "department", "region", "commune", "insee",
               "labels", "networks", "in_consortium", "headcount", "turnover")


@dataclass
class SearchResult:
    items: list[Supplier]
    total: int
    page: int
    per_page: int
    distances: dict[int, float] = field(default_factory=dict)
    matched_by: str = "text"
    commune: Commune | None = None  # the place the criteria named, once resolved
    featured: set[int] = field(default_factory=set)  # boosted suppliers shown first
    total_is_exact: bool = True  # else there are more than `total` (see search_pages.COUNT_AT_MOST)
    more: bool = False  # another page follows (known from the page itself when the total is not)
    understood: Understood | None = None  # the sectors the words named (searched activity by activity)
    answered_by: dict[int, str] = field(default_factory=dict)  # which activity answered, in words
    words_only: set[int] = field(default_factory=set)  # matched by name or description alone, listed last

    @property
    def pages(self) -> int:
        """The number of pages, or of those known to exist when the total is a lower bound."""
        return max(1, math.ceil(self.total / self.per_page), self.page + (1 if self.has_next else 0))

    @property
    def has_next(self) -> bool:
        return self.more if not self.total_is_exact else self.page * self.per_page < self.total


def _place_departments(criteria: dict) -> list[str] | None:
    """The departments a department or region criterion stands for, or None."""
    if criteria.get("department"):
        return [criteria["department"]]
    if criteria.get("region"):
        from marketplace.geography.models import Department

        return list(db.session.scalars(select(Department.code).where(Department.region_code == criteria["region"])))
    return None


def _text_match(query: str, fuzzy: bool = False, departments: list[str] | None = None):
    """A subquery of (supplier_id, rank) for the words of `query` (and the departments
    reached, if given); lower rank is better. None without a word."""
    if fuzzy and search_index.is_sqlite():
        words = similar_terms(terms(query))
        if words is None:  # nothing to mend: still nothing matches
            return select(SupplierSearchDocument.supplier_id, literal_column("0").label("rank")).where(
                false()).subquery("text_match")
        return Fts5Matches(words, departments).ranked()
    if fuzzy:
        return similar_names(query, departments)
    matches = text_matches(query, departments)
    return None if matches is None else matches.ranked()


def _siret_prefix(digits: str):
    condition = Supplier.siret >= digits
    if set(digits) != {"9"}:
        condition = and_(condition, Supplier.siret < str(int(digits) + 1).zfill(len(digits)))
    return condition


def _activity_filter(criteria: dict, commune: Commune | None):
    """The rows (table, conditions) of the activities meeting every activity-level
    criterion at once; None without such criteria.

    Without a place, the activities themselves are read (one row each, indexed by
    sector); with a place, their derived reach (indexed by department and sector)."""
    wanted_sectors = sector_ids(criteria)
    departments = _place_departments(criteria)
    serves_commune = commune is not None and criteria.get("serves_commune")
    table = ActivityReach if departments or serves_commune else SupplierActivity
    conditions = []
    if wanted_sectors is not None:
        conditions.append(table.sector_id.in_(wanted_sectors))
    if criteria.get("service_kinds"):
        conditions.append(table.service_kinds.op("&")(criteria["service_kinds"]) != 0)
    if departments:
        conditions.append(table.department_code.in_([*departments, FRANCE_WIDE]))
    if serves_commune:
        conditions += _serving(commune)
    if conditions and commune is not None and criteria.get("within_km"):
        # Only the activities of suppliers in the box (the supplier's place is copied on them).
        conditions += _within_km(table.latitude, table.longitude, commune, criteria["within_km"])
    return (table, conditions) if conditions else None


def _serving(commune: Commune) -> list:
    """Reach rows of activities that serve the commune."""
    reach = ActivityReach
    in_commune_zone = exists().where(ActivityZone.activity_id == reach.activity_id,
                                     ActivityZone.zone_type == ZoneType.COMMUNE,
                                     ActivityZone.code == commune.insee_code)
    within_radius = squared_km(reach.latitude, reach.longitude, commune.latitude, commune.longitude) \
        <= reach.radius_km * reach.radius_km
    return [
        reach.department_code.in_([commune.department_code, FRANCE_WIDE]),
        or_(reach.whole_department.is_(True),  # France-wide, or a zone of its department or region
            and_(reach.geo_range == GeoRange.ZONES, in_commune_zone),
            and_(reach.geo_range == GeoRange.RADIUS, within_radius)),
    ]


def _band(column_expression, bounds: tuple[int, int | None], scale: int = 1):
    low, high = bounds
    condition = column_expression >= low * scale
    return condition if high is None else and_(condition, column_expression < (high + (0 if scale > 1 else 1)) * scale)


def build_query(criteria: dict, commune: Commune | None, fuzzy: bool = False):
    """The filtered statement of (supplier id, rank) before sorting and paging."""
    rank = literal_column("0")
    text_matched = False
    statement = select(Supplier.id).where(Supplier.is_listed.is_(True))
    query = (criteria.get("q") or "").strip()
    digits = query.replace(" ", "")
    if digits.isdigit() and len(digits) >= 3:
        statement = statement.where(_siret_prefix(digits[:14]))
    elif query:
        departments = _place_departments(criteria)
        match = _text_match(query, fuzzy=fuzzy, departments=departments)
        if match is not None:
            statement = statement.join(match, match.c.supplier_id == Supplier.id)
            rank, text_matched = match.c.rank, True
            if departments:  # the index matched the place already
                criteria = {**criteria, "department": None, "region": None}
    activity = _activity_filter(criteria, commune)
    if activity is not None:
        table, conditions = activity
        fitting = select(table.supplier_id).where(*conditions)
        if text_matched or (commune is not None and criteria.get("within_km")):
            # The words (or the map) drive; the activity list is built once and probed.
            statement = statement.where(Supplier.id.in_(fitting))
        else:
            # Joined: the suppliers with a fitting activity drive the query.
            matching = fitting.distinct().subquery("with_activity")
            statement = statement.join(matching, matching.c.supplier_id == Supplier.id)
    if criteria.get("kinds"):
        statement = statement.where(Supplier.kind.in_(criteria["kinds"]))
    statement = statement.where(*_tag_conditions(criteria, Supplier.id))
    if criteria.get("headcount"):
        headcount = func.coalesce(Supplier.permanent_staff, 0) + func.coalesce(Supplier.insertion_staff, 0)
        statement = statement.where(_band(headcount, HEADCOUNT_BANDS[criteria["headcount"]]))
    if criteria.get("turnover"):
        statement = statement.where(_band(Supplier.turnover_cents, TURNOVER_BANDS[criteria["turnover"]], scale=100))
    if commune is not None and criteria.get("within_km"):
        statement = statement.where(*_within_km(Supplier.latitude, Supplier.longitude, commune, criteria["within_km"]))
    return statement.add_columns(rank.label("rank"))


def _within_km(lat_column, lon_column, commune: Commune, radius: int) -> list:
    """Within `radius` km of the commune: the box around the disc (an index range), then the disc."""
    dlat = radius / KM_PER_DEGREE
    dlon = radius / (KM_PER_DEGREE * max(math.cos(math.radians(commune.latitude)), 0.01))
    return [lat_column.between(commune.latitude - dlat, commune.latitude + dlat),
            lon_column.between(commune.longitude - dlon, commune.longitude + dlon),
            squared_km(lat_column, lon_column, commune.latitude, commune.longitude) <= radius * radius]


def _tag_conditions(criteria: dict, supplier_id) -> list:
    """Labels, networks, consortium membership: conditions on the supplier's id."""
    conditions = []
    if criteria.get("labels"):
        conditions.append(exists().where(SupplierLabel.supplier_id == supplier_id,
                                         SupplierLabel.label.in_(criteria["labels"])))
    if criteria.get("networks"):
        conditions.append(exists().where(SupplierNetwork.supplier_id == supplier_id,
                                         SupplierNetwork.network.in_(criteria["networks"])))
    if criteria.get("in_consortium"):
        conditions.append(exists().where(ConsortiumMembership.member_id == supplier_id,
                                         ConsortiumMembership.status == MemberStatus.ACTIVE))
    return conditions


def _page_from_activities(criteria: dict, commune: Commune | None, sort: str, page: int,
                          per_page: int, exact: bool = False) -> Found | None:
    """Criteria the activity rows answer alone (no words, no headcount or turnover, an
    order they carry): one page and the total from them, the supplier's state being
    copied on them (models.MatchingCopy), without reading a supplier row. None otherwise.
    One sector, most complete first: a walk in that order, its count bounded unless
    `exact` (see search_pages.in_completion_order)."""
    if criteria.get("q") or criteria.get("headcount") or criteria.get("turnover") or sort == "updated":
        return None
    activity = _activity_filter(criteria, commune)
    if activity is None:
        return None
    table, conditions = activity
    conditions = [*conditions, table.supplier_listed.is_(True), *_tag_conditions(criteria, table.supplier_id)]
    if criteria.get("kinds"):
        conditions.append(table.supplier_kind.in_(criteria["kinds"]))
    few_sectors = 0 < len(criteria.get("sectors") or []) <= search_pages.MERGED_SECTORS_AT_MOST \
        and not criteria.get("sector_groups")
    if sort == "completion" and table is SupplierActivity and few_sectors and not exact:
        return search_pages.in_completion_order(conditions, page, per_page, sector_ids(criteria))
    if sort == "distance":
        value = func.min(func.coalesce(
            squared_km(table.latitude, table.longitude, commune.latitude, commune.longitude), 1e12))
    else:
        value = func.max(table.supplier_completion)
    found = (select(table.supplier_id.label("id"), literal_column("0").label("rank"), value.label("sort_value"))
             .where(*conditions).group_by(table.supplier_id).cte("found").prefix_with("MATERIALIZED"))
    return search_pages.page_of_found(found, sort, page, per_page)


def _text_only(criteria: dict) -> bool:
    """Only words (no filter): the full-text index alone answers, listed suppliers only."""
    query = (criteria.get("q") or "").replace(" ", "")
    filters = [k for k in FILTER_KEYS if criteria.get(k) and k not in ("department", "region")]
    return bool(query) and not query.isdigit() and not filters and criteria.get("sort") in (None, "relevance")


def _page_of_text_matches(criteria: dict, page: int, per_page: int, exact: bool) -> Found | None:
    matches = text_matches(criteria["q"], _place_departments(criteria))
    return None if matches is None else matches.page_and_total(per_page, (page - 1) * per_page,
                                                               None if exact else search_pages.COUNT_AT_MOST)


def _sort_of(criteria: dict, commune: Commune | None) -> str:
    sort = criteria.get("sort") or ("relevance" if criteria.get("q") else "completion")
    return "completion" if sort == "distance" and commune is None else sort


def _matches(criteria: dict, commune: Commune | None, sort: str, page: int, per_page: int,
             exact_total: bool) -> tuple[Found, str]:
    """One page of the matching ids with their count, and how they matched ("text", or
    "similar" when no word matched: names alike on PostgreSQL (pg_trgm), the words
    mended to the closest terms of the index on SQLite)."""
    if _text_only(criteria):
        found = _page_of_text_matches(criteria, page, per_page, exact_total)
    else:
        found = _page_from_activities(criteria, commune, sort, page, per_page, exact=exact_total)
    if found is not None and (found.total or not criteria.get("q")):
        return found, "text"
    statement = build_query(criteria, commune)
    filtered = any(criteria.get(key) for key in FILTER_KEYS + ("q",))
    found = search_pages.page_and_total(statement, sort, commune, page, per_page, filtered)
    if found.total == 0 and criteria.get("q") and search_index.is_sqlite() and _text_only(criteria):
        mended = similar_terms(terms(criteria["q"]))  # words alone: the index pages them, as above
        return (found if mended is None else Fts5Matches(mended, _place_departments(criteria)).page_and_total(
            per_page, (page - 1) * per_page, None if exact_total else search_pages.COUNT_AT_MOST)), "similar"
    if found.total == 0 and criteria.get("q") and not criteria["q"].replace(" ", "").isdigit():
        statement = build_query(criteria, commune, fuzzy=True)
        return search_pages.page_and_total(statement, sort, commune, page, per_page, filtered), "similar"
    return found, "text"


def search_suppliers(criteria: dict, page: int = 1, per_page: int = 20, details: bool = True) -> SearchResult:
    """Suppliers matching `criteria` (see directory.schemas.SearchSchema), one page of them.
    Words that name sectors are searched activity by activity (search_words); suppliers
    whose name or description alone holds them follow, after the last of those.
    The total of a large result may be a lower bound (result.total_is_exact; the exact
    one: count_suppliers). Without `details`, the suppliers come with their activities'
    sectors only (what a result card shows), not their zones, labels and networks."""
    commune = place_of(criteria.get("commune"), criteria.get("insee"))
    worded, understood = search_words.activity_criteria(criteria, sector_slug_known)
    sort = _sort_of(worded, commune)
    found, matched_by = _matches(worded, commune, sort, page, per_page, exact_total=False)
    words_only = []
    if understood is not None and search_pages.ends_on(found, page, per_page):
        words_only = _words_only({**criteria, "q": understood.read}, worded, commune)
        found = search_pages.followed_by(found, words_only, page, per_page, lambda: _matches(
            worded, commune, sort, 1, 1, exact_total=True)[0].total)
    elif understood is not None:  # the words-only matches come after the last page: not counted yet
        found = found._replace(exact=False, more=True)
    featured = _featured(worded, commune, sort) if page == 1 else []
    ids = featured + [i for i in found.ids if i not in set(featured)]
    items = _load(ids, details or understood is not None)
    distances = {}
    if commune is not None:
        from marketplace.geography.services import distance_km

        distances = {s.id: round(distance_km(commune.latitude, commune.longitude, s.latitude, s.longitude), 1)
                     for s in items if s.latitude is not None}
    result = SearchResult(items, found.total, page, per_page, distances, matched_by, commune,
                          featured=set(featured), total_is_exact=found.exact, more=found.more, understood=understood,
                          words_only=set(words_only) & set(ids))
    if understood is not None:
        result.answered_by = search_words.answer_labels(
            [s for s in items if s.id not in result.words_only], worded["sectors"], commune,
            _place_departments(worded))
    return result


WORDS_ONLY_AT_MOST = 50


def _words_only(criteria: dict, worded: dict, commune: Commune | None) -> list[int]:
    """The suppliers whose name or description holds the words (at the place), best
    first, that have no activity in the sectors the words name (at most
    WORDS_ONLY_AT_MOST). One that has such an activity was either found by it, or
    matched the words through that activity and the place through another one: the
    very answer a search by activity must not give."""
    statement = build_query(criteria, commune)
    candidates = search_pages.page_and_total(statement, "relevance", commune, 1, WORDS_ONLY_AT_MOST,
                                             filtered=True).ids
    if not candidates:
        return []
    in_sector = set(db.session.scalars(select(SupplierActivity.supplier_id).where(
        SupplierActivity.supplier_id.in_(candidates), SupplierActivity.sector_id.in_(sector_ids(worded)))))
    return [i for i in candidates if i not in in_sector]


def _load(ids: list[int], details: bool) -> list[Supplier]:
    """The suppliers of `ids`, in that order, with what their card shows."""
    if not ids:
        return []
    loaded = {s.id: s for s in db.session.scalars(
        select(Supplier).where(Supplier.id.in_(ids)).options(*_loaded_with(details)))}
    return [loaded[i] for i in ids if i in loaded]


def _loaded_with(details: bool) -> list:
    sectors = selectinload(Supplier.activities).selectinload(SupplierActivity.sector)
    if not details:
        return [sectors]
    return [sectors, selectinload(Supplier.activities).selectinload(SupplierActivity.zones),
            selectinload(Supplier.label_rows), selectinload(Supplier.network_rows)]


def count_suppliers(criteria: dict) -> int:
    """The exact number of suppliers matching `criteria`, for a search whose page only
    said "more than" (a common word, or a sector, at national scale)."""
    commune = place_of(criteria.get("commune"), criteria.get("insee"))
    worded, understood = search_words.activity_criteria(criteria, sector_slug_known)
    total = _matches(worded, commune, _sort_of(worded, commune), 1, 1, exact_total=True)[0].total
    if understood is not None:
        total += len(_words_only({**criteria, "q": understood.read}, worded, commune))
    return total


FEATURED_AT_MOST = 3


def _featured(criteria: dict, commune: Commune | None, sort: str) -> list[int]:
    """The boosted suppliers among this search's matches (the same query, narrowed to
    them), shown first on the first page."""
    boosted = hooks.boosted_ids()
    if not boosted:
        return []
    statement = build_query(criteria, commune).where(Supplier.id.in_(boosted))
    return search_pages.page_and_total(statement, sort, commune, 1, FEATURED_AT_MOST, filtered=True).ids
