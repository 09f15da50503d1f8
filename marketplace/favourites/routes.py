"""Favourite lists: pages and JSON."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, wants_json
from marketplace.extensions import db
from marketplace.favourites import schemas, services
from marketplace.forms import Form, form_response

bp = Blueprint("favourites", __name__, url_prefix="/favoris")



def _as_json(favourite_list) -> dict:
    return {"id": favourite_list.id, "name": favourite_list.name, "shared": favourite_list.shared,
            "owner": favourite_list.owner.full_name,
            "suppliers": [{"id": i.supplier.id, "name": i.supplier.name} for i in favourite_list.items]}


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    form = Form(schemas.FavouriteListSchema())
    if form.validate_on_submit():
        try:
            favourite_list = services.create_list(form.data, acting_user())
        except DomainError as error:
            form.fail(error)
        else:
            db.session.commit()
            if wants_json():
                return _as_json(favourite_list), 201
            flash(f"Liste « {favourite_list.name} » créée.", "success")
            return redirect(url_for("favourites.show", list_id=favourite_list.id))
    lists = services.visible_lists(acting_user())
    if wants_json() and not form.errors:
        return {"items": [_as_json(f) for f in lists]}
    return form_response(form, "favourites/index.html", lists=lists)


@bp.route("/<int:list_id>")
@login_required
def show(list_id: int):
    favourite_list = services.get_list(list_id, acting_user())
    if wants_json():
        return _as_json(favourite_list)
    return render_template("favourites/show.html", favourite_list=favourite_list,
                           form=Form(schemas.FavouriteListSchema(),
                                     initial={"name": favourite_list.name, "shared": favourite_list.shared}))


@bp.route("/<int:list_id>/modifier", methods=["POST"])
@login_required
def update(list_id: int):
    favourite_list = services.get_list(list_id, acting_user())
    form = Form(schemas.FavouriteListSchema())
    if not form.validate_on_submit():
        return form_response(form, "favourites/show.html", favourite_list=favourite_list)
    services.update_list(favourite_list, form.data, acting_user())
    db.session.commit()
    flash("Liste mise à jour.", "success")
    return redirect(url_for("favourites.show", list_id=list_id))


@bp.route("/<int:list_id>/supprimer", methods=["POST"])
@login_required
def delete(list_id: int):
    services.delete_list(services.get_list(list_id, acting_user()), acting_user())
    db.session.commit()
    flash("Liste supprimée.", "info")
    return redirect(url_for("favourites.index"))


@bp.route("/<int:list_id>/structures", methods=["POST"])
@login_required
def add(list_id: int):
    favourite_list = services.get_list(list_id, acting_user())
    form = Form(schemas.FavouriteItemSchema())
    if not form.validate_on_submit():
        return form_response(form, "favourites/show.html", favourite_list=favourite_list)
    services.add_supplier(favourite_list, form.data["supplier_id"], acting_user())
    db.session.commit()
    if wants_json():
        return _as_json(favourite_list), 201
    flash(f"Ajoutée à « {favourite_list.name} ».", "success")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("favourites.show", list_id=list_id))


@bp.route("/<int:list_id>/structures/<int:supplier_id>/retirer", methods=["POST"])
@login_required
def remove(list_id: int, supplier_id: int):
    favourite_list = services.get_list(list_id, acting_user())
    services.remove_supplier(favourite_list, supplier_id, acting_user())
    db.session.commit()
    if wants_json():
        return _as_json(favourite_list)
    flash("Structure retirée de la liste.", "info")
    return redirect(url_for("favourites.show", list_id=list_id))
