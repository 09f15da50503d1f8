"""Factories for needs: a buyer with an organisation, and needs created through the services."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.needs import services
from marketplace.needs.models import Need
from marketplace.needs.schemas import blank_need_data
from marketplace.suppliers.taxonomy import Sector
from marketplace.timeutil import utcnow


def sector_id(slug: str) -> int:
    return db.session.scalar(select(Sector.id).where(Sector.slug == slug))


def need_data(**fields) -> dict:
    """Service-level data of a need (what the schema loads), with sensible defaults."""
    sectors = fields.pop("sectors", ["nettoyage"])
    lots = fields.pop("lots", [])
    defaults = {
        "title": "Nettoyage des bureaux de Grasse", "description": "Entretien hebdomadaire de 800 m² de bureaux.",
        "sector_ids": [sector_id(s) for s in sectors], "budget_min_cents": 1_000_000, "budget_max_cents": 2_000_000,
        "budget_visible": True, "deadline": utcnow() + timedelta(days=10),
        "lots": [{"title": lot["title"], "description": None, "budget_min_cents": lot.get("budget_min_cents"),
                  "budget_max_cents": lot.get("budget_max_cents"),
                  "sector_ids": [sector_id(s) for s in lot.get("sectors", [])]} for lot in lots],
    }
    return blank_need_data(**{**defaults, **fields})


@pytest.fixture
def make_need(app):
    """Create a need through the services as the given buyer; `publish` runs it through
    submission (moderation off) so that suppliers are matched and told."""

    def make(buyer_id: int, publish: bool = True, **fields) -> int:
        with app.app_context():
            actor = db.session.get(User, buyer_id)
            need = services.create_need(need_data(**fields), actor)
            if publish:
                app.config["NEEDS_MODERATION"] = False
                services.submit_need(need, actor)
                app.config["NEEDS_MODERATION"] = True
            db.session.commit()
            return need.id

    return make


def pass_deadline(app, need_id: int) -> None:
    """Move a need's deadline to the past, as time would."""
    with app.app_context():
        need = db.session.get(Need, need_id)
        need.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
