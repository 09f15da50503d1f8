"""The API put together: its blueprints registered on one flask-smorest Api, with its
OpenAPI document (the modules of the API import core; only this one imports them)."""

from marketplace.api import directory, fairs, needs, routes, webhooks
from marketplace.api.core import API_PREFIX, MarketplaceApi


def init_api(app) -> None:
    """The API, its OpenAPI document at /api/v1/openapi.json and its docs page."""
    app.config.update(API_TITLE="API du Marché de l'achat inclusif", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX=API_PREFIX, OPENAPI_JSON_PATH="openapi.json")
    api = MarketplaceApi()
    api.init_app(app, spec_kwargs={"info": {"description": (
        "Annuaire des structures inclusives, besoins et offres, salons d'affaires. Authentification : "
        "`Authorization: Bearer <clé>` (clés créées sur la page Profil). Sans clé, seules les données "
        "publiques de l'annuaire et des salons sont accessibles. Erreurs au format RFC 9457 "
        "(application/problem+json).")}})
    api.spec.components.security_scheme("cle", {"type": "http", "scheme": "bearer"})
    api.ma_plugin.converter.add_attribute_function(_nullable_unless_required)
    for blueprint_ in (directory.bp, needs.bp, fairs.bp, webhooks.bp):
        api.register_blueprint(blueprint_)
    app.register_blueprint(routes.bp)
    app.extensions["marketplace_api"] = api



def _nullable_unless_required(self, field, **kwargs) -> dict:
    """An optional field may be null, in what the API sends as in what it accepts."""
    return {} if field.required else {"nullable": True}
