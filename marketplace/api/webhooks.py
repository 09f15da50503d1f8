"""Partners' webhook subscriptions through the API."""

from marshmallow import Schema, fields, validate

from marketplace.api.core import api_user, blueprint
from marketplace.extensions import db
from marketplace.validation import Text, UtcDateTime
from marketplace.webhooks import services
from marketplace.webhooks.models import EVENTS

bp = blueprint("webhooks", "Abonnements aux évènements (webhooks signés HMAC-SHA256).")


class SubscriptionIn(Schema):
    url = Text(required=True, max_length=500, metadata={"description": "Une adresse https:// publique."})
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(min=1))
    region = fields.String(load_default=None,
                           validate=validate.Regexp(r"^\d{2}$", error="Code de région à 2 chiffres."),
                           metadata={"description": "Seulement les besoins de cette région (code INSEE)."})


class SubscriptionOut(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.Function(lambda s: s.event_list)
    region = fields.String(attribute="region_code")
    active = fields.Boolean(attribute="is_active")


class CreatedSubscription(SubscriptionOut):
    secret = fields.String(metadata={"description": "La clé HMAC, donnée une seule fois."})


class DeliveryOut(Schema):
    id = fields.Integer()
    event = fields.String()
    attempts = fields.Integer()
    delivered_at = UtcDateTime()
    gave_up_at = UtcDateTime()
    next_attempt_at = UtcDateTime()
    last_status = fields.Integer()
    last_error = fields.String()


@bp.route("/webhooks", methods=["GET"])
@bp.response(200, SubscriptionOut(many=True))
def subscriptions():
    """My subscriptions."""
    return services.subscriptions_of(api_user())


@bp.route("/webhooks", methods=["POST"])
@bp.arguments(SubscriptionIn)
@bp.response(201, CreatedSubscription)
def subscribe(data):
    """Subscribe an https address to events; each delivery carries the header
    `X-Marche-Signature: t=<unix time>,v1=<HMAC-SHA256(secret, "<t>.<body>")>`."""
    subscription = services.subscribe(api_user(), data["url"], data["events"], data["region"])
    db.session.commit()
    return subscription


@bp.route("/webhooks/<int:subscription_id>", methods=["DELETE"])
@bp.response(204)
def unsubscribe(subscription_id: int):
    """Stop a subscription."""
    services.unsubscribe(api_user(), subscription_id)
    db.session.commit()


@bp.route("/webhooks/<int:subscription_id>/deliveries")
@bp.response(200, DeliveryOut(many=True))
def deliveries(subscription_id: int):
    """The latest deliveries of a subscription, with their attempts and errors."""
    from sqlalchemy import select

    from marketplace.webhooks.models import WebhookDelivery

    subscription = services.get_subscription(api_user(), subscription_id)
    return list(db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription.id).order_by(WebhookDelivery.id.desc()).limit(100)))
