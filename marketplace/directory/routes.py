"""The directory: search (page and JSON), supplier pages, exports, the public SIRET check."""

from types import SimpleNamespace

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import reference
from marketplace.accounts.current import acting_user
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditAction
from marketplace.audit.services import record
from marketplace.directory import exports
from marketplace.directory.schemas import SearchSchema
from marketplace.errors import NotAllowed, flatten_messages, problem, wants_json
from marketplace.exports import csv_download, xlsx_download
from marketplace.extensions import db
from marketplace.geography.services import all_departments, all_regions, communes_with_postcode, find_communes
from marketplace.suppliers import consortiums
from marketplace.suppliers.schemas import SiretSchema, SupplierOut
from marketplace.suppliers.search import HEADCOUNT_BANDS, TURNOVER_BANDS, count_suppliers, search_suppliers
from marketplace.suppliers.services import find_by_siret, get_supplier
from marketplace.suppliers.taxonomy import LABELS, NETWORKS, SectorGroup, ServiceKind, SupplierKind

bp = Blueprint("directory", __name__, url_prefix="/annuaire")


def _criteria() -> tuple[dict | None, dict]:
    raw = {key: (values if len(values) > 1 else values[0]) for key, values in request.args.lists()}
    try:
        return SearchSchema().load(raw), {}
    except ValidationError as error:
        return None, flatten_messages(error.normalized_messages())


# The search page names a refused criterion as its form does.
CRITERIA_LABELS = {"q": "Recherche", "sector": "Secteur", "group": "Famille de secteurs", "kind": "Type de structure",
                   "service": "Prestation", "department": "Département", "region": "Région", "commune": "Commune",
                   "insee": "Commune", "within_km": "Distance", "label": "Label", "network": "Réseau",
                   "headcount": "Effectif", "turnover": "Chiffre d'affaires", "sort": "Tri", "page": "Page",
                   "per_page": "Résultats par page"}


@bp.app_template_filter("sector_name")
def sector_name(slug: str) -> str:
    """A sector's name from its slug (the directory's reference data)."""
    names = {sector.slug: sector.name for group in _reference_facets()["groups"] for sector in group.sectors}
    return names.get(slug, slug)


def _reference_facets() -> dict:
    """Sectors, departments and regions as plain values, read once per process."""
    return reference.read_once("directory facets", _load_facets)


def _load_facets() -> dict:
    groups = db.session.scalars(select(SectorGroup).order_by(SectorGroup.id).options(selectinload(SectorGroup.sectors)))
    return {"groups": [SimpleNamespace(name=g.name, sectors=[SimpleNamespace(id=s.id, slug=s.slug, name=s.name)
                                                             for s in g.sectors]) for g in groups],
            "departments": [SimpleNamespace(code=d.code, name=d.name) for d in all_departments()],
            "regions": [SimpleNamespace(code=r.code, name=r.name) for r in all_regions()]}


def _facets() -> dict:
    return {
        **_reference_facets(),
        "kinds": list(SupplierKind),
        "services": list(ServiceKind),
        "labels": LABELS,
        "networks": NETWORKS,
        "headcounts": HEADCOUNT_BANDS,
        "turnovers": TURNOVER_BANDS,
    }


@bp.route("")
def search():
    criteria, errors = _criteria()
    result = search_suppliers(criteria, criteria["page"], criteria["per_page"], details=False) if criteria else None
    commune = result.commune if result else None
    return render_template("directory/search.html", result=result, errors=errors, args=request.args,
                           commune=commune, facets=_facets(), labels=CRITERIA_LABELS,
                           **_commune_choice(commune)), 422 if errors else 200


def _commune_choice(commune) -> dict:
    """What the page says of the commune it understood: its name with the postcode that
    was typed (or its main one), and the other communes that postcode serves."""
    typed = (request.args.get("commune") or "").strip()
    if commune is None:
        return {"commune_postcode": None, "other_communes": []}
    codes = commune.postcodes.split()
    postcode = typed if typed in codes else (codes[0] if codes else commune.department_code)
    others = [c for c in communes_with_postcode(typed) if c.insee_code != commune.insee_code]
    return {"commune_postcode": postcode, "other_communes": others}


@bp.route("/recherche.json")
def search_json():
    criteria, errors = _criteria()
    if errors:
        return problem(422, "Certains critères de recherche sont invalides.", errors)
    result = search_suppliers(criteria, criteria["page"], criteria["per_page"])
    items = SupplierOut(many=True).dump(result.items)
    for item in items:
        if item["id"] in result.distances:
            item["distance_km"] = result.distances[item["id"]]
        item["featured"] = item["id"] in result.featured
        item["answered_by"] = result.answered_by.get(item["id"])
        item["words_only"] = item["id"] in result.words_only
    understood = result.understood
    return {"understood": {"sectors": list(understood.sectors), "other_words": understood.rest or None,
                           "read_as": dict(understood.corrected)} if understood else None,
            "total": result.total, "total_is_exact": result.total_is_exact, "page": result.page,
            "per_page": result.per_page, "pages": result.pages if result.total_is_exact else None,
            "has_next": result.has_next, "matched_by": result.matched_by, "items": items}


@bp.route("/nombre.json")
def count_json():
    """The exact count of a search whose page said "more than" (fetched by the page's script)."""
    criteria, errors = _criteria()
    if errors:
        return problem(422, "Certains critères de recherche sont invalides.", errors)
    return {"total": count_suppliers(criteria)}


@bp.route("/communes.json")
def communes_json():
    return {"items": [{"code": c.insee_code, "name": c.name, "department": c.department_code,
                       "postcodes": c.postcodes.split()} for c in find_communes(request.args.get("q", ""))]}


@bp.route("/structures/<int:supplier_id>")
def supplier(supplier_id: int):
    found = get_supplier(supplier_id)
    if wants_json():
        return SupplierOut().dump(found)
    capacity = consortiums.combined_capacity(found) if found.is_consortium else None
    favourite_lists = []
    if current_user.is_authenticated and current_user.role == Role.BUYER:
        from marketplace.favourites.services import visible_lists

        try:
            favourite_lists = visible_lists(acting_user())
        except NotAllowed:
            favourite_lists = []
    return render_template(
        "directory/supplier.html", supplier=found, capacity=capacity,
        lead=consortiums.lead_of(found) if found.is_consortium else None,
        member_of=[m for m in consortiums.consortiums_of(found) if m.status.value == "active"],
        labels=LABELS, networks=NETWORKS, services=list(ServiceKind), favourite_lists=favourite_lists,
    )


def _with_contacts() -> bool:
    """Contact-rich exports come with the buyer plan (everyone has them while payments are off)."""
    from marketplace.organisations.services import membership_of
    from marketplace.payments.plans import has_plan

    membership = membership_of(acting_user())
    organisation = membership.organisation if membership and membership.status.value == "active" else None
    return has_plan(organisation) or acting_user().is_admin


@bp.route("/export.<any(csv, xlsx):file_format>")
@login_required
def export(file_format: str):
    criteria, errors = _criteria()
    if errors:
        return problem(422, "Certains critères de recherche sont invalides.", errors)
    result = search_suppliers(criteria, page=1, per_page=exports.MAX_EXPORT_ROWS)
    with_contacts = _with_contacts()
    rows = exports.table(result.items, with_contacts)
    if with_contacts:
        record(AuditAction.CONTACTS_EXPORTED, acting_user().id, "directory:export",
               f"{len(result.items)} structures, {file_format}")
        db.session.commit()
    if file_format == "csv":
        return csv_download(rows, "structures-inclusives.csv")
    return xlsx_download(rows, "structures-inclusives.xlsx", "Structures inclusives")


@bp.route("/verifier-siret")
def check_siret():
    """Public: is this SIRET (or its SIREN) an inclusive supplier listed here?"""
    raw = request.args.get("siret", "")
    answer, errors = None, {}
    if raw:
        try:
            siret = SiretSchema().load({"siret": raw})["siret"]
        except ValidationError as error:
            errors = error.normalized_messages()
        else:
            found = find_by_siret(siret)
            answer = {"siret": siret, "inclusive": bool(found and found.is_listed),
                      "supplier": SupplierOut(only=("id", "name", "kind", "kind_label", "city")).dump(found)
                      if found and found.is_listed else None}
    if wants_json():
        if errors:
            return problem(422, "Numéro SIRET invalide.", errors)
        if answer is None:
            return problem(422, "Indiquez un numéro SIRET.", {"siret": ["Ce champ est obligatoire."]})
        return answer
    return render_template("directory/check_siret.html", raw=raw, answer=answer, errors=errors), \
        422 if errors else 200
