"""Public directory data: suppliers (the web search's filters, cursor pages, ETags),
sectors, kinds of supplier and service, geography."""

import hashlib

from flask import request
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from sqlalchemy import select

from marketplace.api.core import PageArgs, blueprint, decode_cursor, encode_cursor, page_of, paged
from marketplace.directory.schemas import SearchSchema
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.geography.models import Department, Region
from marketplace.geography.services import place_of
from marketplace.suppliers.changes import changes_after
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.schemas import SupplierOut
from marketplace.suppliers.search import build_query
from marketplace.suppliers.services import find_by_siret, get_supplier
from marketplace.suppliers.taxonomy import Sector, ServiceKind, SupplierKind
from marketplace.validation import BaseSchema, Count, Text, UtcDateTime

bp = blueprint("annuaire", "L'annuaire des structures inclusives : données publiques.")


class SupplierSearchArgs(SearchSchema, PageArgs):
    """The directory's filters (as on the search page) and a cursor."""


class SupplierPage(Schema):
    items = fields.List(fields.Nested(SupplierOut))
    next = fields.String(allow_none=True, metadata={"description": "Le curseur de la page suivante, ou null."})


@bp.route("/suppliers")
class Suppliers(MethodView):
    @bp.arguments(SupplierSearchArgs, location="query")
    @bp.response(200, SupplierPage)
    def get(self, args):
        """Search the directory: every filter of the search page, in a stable order (by id)."""
        statement = build_query(args, place_of(args.get("commune"), args.get("insee")))
        ids = statement.with_only_columns(Supplier.id).subquery()
        query = select(Supplier).where(Supplier.id.in_(select(ids.c.id)))
        suppliers, next_cursor = page_of(query, Supplier.id, args["cursor"], args["limit"])
        return paged(suppliers, next_cursor)


def _with_etag(supplier: Supplier):
    """The supplier, or 304 if the caller's copy is current."""
    from flask import make_response

    tag = hashlib.sha256(f"{supplier.id}:{supplier.updated_at.isoformat()}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(tag):
        response = make_response("", 304)
    else:
        response = make_response(SupplierOut().dump(supplier))
    response.set_etag(tag)
    return response


@bp.route("/suppliers/<int:supplier_id>")
@bp.response(200, SupplierOut)
@bp.alt_response(304, description="Inchangé depuis l'ETag donné (If-None-Match).")
def supplier(supplier_id: int):
    """One supplier, with an ETag."""
    return _with_etag(get_supplier(supplier_id))


@bp.route("/suppliers/siret/<siret>")
@bp.response(200, SupplierOut)
def supplier_by_siret(siret: str):
    """One supplier, found by its SIRET (spaces allowed)."""
    found = find_by_siret("".join(siret.split()))
    if found is None or not found.is_listed:
        raise NotFound("Aucune structure de l'annuaire n'a ce SIRET.")
    return _with_etag(found)


class SectorOut(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    group = fields.Function(lambda s: s.group.name)


@bp.route("/sectors")
@bp.response(200, SectorOut(many=True))
def sectors():
    """The sector taxonomy."""
    return list(db.session.scalars(select(Sector).order_by(Sector.id)))


class CodeLabel(Schema):
    code = fields.String()
    label = fields.String()


@bp.route("/supplier-kinds")
@bp.response(200, CodeLabel(many=True))
def supplier_kinds():
    """Kinds of supplier (EI, AI, ACI, ETTI, EITI, GEIQ, EA, EATT, ESAT, ...)."""
    return [{"code": kind.value, "label": kind.label} for kind in SupplierKind]


@bp.route("/service-kinds")
@bp.response(200, CodeLabel(many=True))
def service_kinds():
    """Kinds of service (staff provision, service, goods, building works)."""
    return [{"code": kind.slug, "label": kind.label} for kind in ServiceKind]


class PlaceOut(Schema):
    code = fields.String()
    name = fields.String()
    region = fields.String(attribute="region_code", dump_default=None)


@bp.route("/regions")
@bp.response(200, PlaceOut(many=True))
def regions():
    """The regions (INSEE codes)."""
    return list(db.session.scalars(select(Region).order_by(Region.code)))


@bp.route("/departments")
@bp.response(200, PlaceOut(many=True))
def departments():
    """The departments, with their region."""
    return list(db.session.scalars(select(Department).order_by(Department.code)))


class FeedArgs(Schema):
    since = Text(max_length=200, load_default=None, metadata={"description": "Le curseur `next` de l'appel précédent "
                                                                      "(aucun : depuis le début)."})
    limit = Count(minimum=1, maximum=500, load_default=100)


class ChangeOut(Schema):
    cursor = fields.Function(lambda change: encode_cursor(change.id))
    supplier_id = fields.Integer()
    change = fields.String(attribute="kind", metadata={"description": "created, updated, delisted ou relisted"})
    at = UtcDateTime(attribute="changed_at")
    supplier = fields.Function(lambda change: SupplierOut().dump(change.supplier)
                               if change.supplier.is_listed else None,
                               metadata={"description": "La fiche à jour ; null si la structure est retirée."})


class ChangePage(Schema):
    items = fields.List(fields.Nested(ChangeOut))
    next = fields.String(metadata={"description": "À donner en `since` à l'appel suivant."})


@bp.route("/suppliers/changes")
@bp.arguments(FeedArgs, location="query")
@bp.response(200, ChangePage)
def supplier_changes(args):
    """The change feed: every supplier created, updated, delisted or relisted since the
    cursor, oldest first, so that a regional directory mirrors this one incrementally."""
    since = decode_cursor(args["since"], field="since")
    changes = changes_after(since, args["limit"])
    return {"items": changes, "next": encode_cursor(changes[-1].id if changes else since)}


class ImportForm(BaseSchema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Simulation : ne rien enregistrer."})


class ImportFile(Schema):
    file = Upload(required=True, metadata={"description": "Un fichier CSV (UTF-8) ou XLSX."})


class ImportLineOut(Schema):
    line = fields.Integer()
    siret = fields.String()
    outcome = fields.String(metadata={"description": "créée, mise à jour, inchangée ou erreur"})
    changed = fields.List(fields.String())
    kept = fields.List(fields.String(), metadata={"description": "Champs gardés : modifiés par la structure."})
    message = fields.String()


@bp.route("/suppliers/import", methods=["POST"])
@bp.arguments(ImportForm, location="form")
@bp.arguments(ImportFile, location="files")
@bp.response(200, ImportLineOut(many=True))
def import_suppliers(form, files):
    """Import a regional directory's file (admins and directory partners), with the same
    merge rules as the import page."""
    from marketplace.api.core import api_user
    from marketplace.suppliers.imports import import_directory

    upload = files["file"]
    report = import_directory(upload.filename or "annuaire.csv", upload.read(), api_user(), dry_run=form["dry_run"])
    db.session.commit()
    return report
