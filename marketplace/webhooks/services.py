"""Subscribing, queueing events, and delivering them: signed, retried, logged."""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.needs import hooks as needs_hooks
from marketplace.needs.schemas import NeedOut
from marketplace.suppliers import hooks as suppliers_hooks
from marketplace.timeutil import utcnow
from marketplace.webhooks.models import EVENTS, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
SIGNATURE_HEADER = "X-Marche-Signature"


def check_url(url: str) -> None:
    """Only public https addresses. Plain http and private or loopback addresses only
    where the settings allow them (a development machine, the tests' local receiver)."""
    parsed = urllib.parse.urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise DomainError("Adresse invalide : une URL https:// complète est attendue.", "url")
    if current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"):
        return
    if parsed.scheme != "https":
        raise DomainError("Adresse invalide : les évènements ne sont envoyés qu'en https://.", "url")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443)}
    except OSError:
        raise DomainError("Ce nom de domaine ne répond pas.", "url") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise DomainError("Les adresses privées ou locales sont refusées.", "url")


def subscribe(user: User, url: str, events: list[str], region_code: str | None) -> WebhookSubscription:
    if not events or any(event not in EVENTS for event in events):
        raise DomainError(f"Évènements possibles : {', '.join(EVENTS)}.", "events")
    check_url(url)
    subscription = WebhookSubscription(user_id=user.id, url=url, secret=f"whk_{secrets.token_urlsafe(24)}",
                                       events=",".join(events), region_code=region_code)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def subscriptions_of(user: User) -> list[WebhookSubscription]:
    """A user's subscriptions that are still on (a stopped one is gone for its owner)."""
    return list(db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.user_id == user.id, WebhookSubscription.is_active).order_by(WebhookSubscription.id)))


def get_subscription(user: User, subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.user_id != user.id or not subscription.is_active:
        raise NotFound("Cet abonnement n'existe pas.")
    return subscription


def unsubscribe(user: User, subscription_id: int) -> None:
    """Stop a subscription: it is no longer listed, and stopping it again is not found.
    The row stays (switched off) with its deliveries' log."""
    get_subscription(user, subscription_id).is_active = False
    db.session.flush()


def queue_event(event: str, payload: dict, region_codes: set[str] | None = None) -> int:
    """A delivery for every active subscription to `event` (and to one of these regions,
    for a subscription limited to a region). Written in the caller's transaction."""
    subscriptions = db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.is_active))
    body = json.dumps({"event": event, "data": payload}, ensure_ascii=False, default=str)
    count = 0
    for subscription in subscriptions:
        if event not in subscription.event_list:
            continue
        if subscription.region_code and region_codes is not None and subscription.region_code not in region_codes:
            continue
        db.session.add(WebhookDelivery(subscription_id=subscription.id, event=event, payload=body))
        count += 1
    return count


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _post(delivery: WebhookDelivery) -> int:
    subscription = delivery.subscription
    check_url(subscription.url)  # again: the name may point elsewhere now
    body = delivery.payload.encode()
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "marche-inclusif-webhooks/1",
        SIGNATURE_HEADER: sign(subscription.secret, int(time.time()), body),
        "X-Marche-Delivery": str(delivery.id), "X-Marche-Event": delivery.event})
    timeout = current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5)
    # check_url allowed https (or http where allowed) only, to a public address; a
    # redirect is not followed, since it could lead anywhere (a private address).
    with _NO_REDIRECTS.open(request, timeout=timeout) as response:
        return response.status


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failed delivery (urllib raises HTTPError with its code)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Send the deliveries that are due; failures wait 1, 2, 4 ... minutes (at most an
    hour) and are given up after MAX_ATTEMPTS. Commits per delivery."""
    counts = {"delivered": 0, "failed": 0}
    now = utcnow()
    due = list(db.session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.delivered_at.is_(None), WebhookDelivery.gave_up_at.is_(None),
        WebhookDelivery.next_attempt_at <= now).order_by(WebhookDelivery.id).limit(limit)))
    for delivery_id in due:
        # Claim it: push its next attempt forward so that another worker skips it.
        claimed = db.session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.next_attempt_at <= now)
            .values(next_attempt_at=now + timedelta(minutes=5))).rowcount
        db.session.commit()
        if not claimed:
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        delivery.attempts += 1
        try:
            delivery.last_status = _post(delivery)
            delivery.delivered_at, delivery.last_error = utcnow(), None
            counts["delivered"] += 1
        except (urllib.error.URLError, OSError, DomainError, ValueError) as error:
            delivery.last_status = getattr(error, "code", None)
            delivery.last_error = str(getattr(error, "message", error))[:500]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.gave_up_at = utcnow()
                log.warning("Webhook delivery %s given up after %s attempts", delivery.id, delivery.attempts)
            else:
                delivery.next_attempt_at = utcnow() + timedelta(minutes=min(2 ** (delivery.attempts - 1), 60))
            counts["failed"] += 1
        db.session.commit()
    return counts


def need_regions(need) -> set[str] | None:
    """The regions a need is in (None: France-wide, every subscription hears of it)."""
    from marketplace.geography.models import Commune, Department

    if need.area.value == "france":
        return None
    regions = set(need.regions)
    if need.commune_code:
        commune = db.session.get(Commune, need.commune_code)
        if commune is not None:
            regions.add(commune.region_code)
    for code in need.departments:
        department = db.session.get(Department, code)
        if department is not None:
            regions.add(department.region_code)
    return regions


@needs_hooks.need_published.connect
def need_published(need) -> None:
    """A public need was published: tell the partners of its region."""
    if need.is_public:
        queue_event("need.published", NeedOut().dump(need), need_regions(need))


@suppliers_hooks.supplier_changed.connect
def supplier_changed(supplier, change: str) -> None:
    queue_event("supplier.changed", {"supplier_id": supplier.id, "change": change, "siret": supplier.siret})
