"""Security headers on every response.

No page has an inline script, so the Content-Security-Policy allows scripts from this
site only; inline style attributes (progress bars) are allowed, and images may come
from https sites (supplier logos)."""

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def payment_page_policy(stripe_js_url: str) -> str:
    """The policy of the payment page, which also loads Stripe.js, lets it frame the card
    field and call the Stripe API (the test server's own origin in tests)."""
    origin = "/".join(stripe_js_url.split("/")[:3])
    api = "https://api.stripe.com" if origin == "https://js.stripe.com" else origin
    return (CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {origin}")
            .replace("connect-src 'self'", f"connect-src 'self' {api}")
            + f"; frame-src {origin} https://hooks.stripe.com")


def register_security_headers(app: Flask) -> None:
    production = app.config["APP_ENV"] == "production"

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
