"""The public API under /api/v1: OpenAPI from the marshmallow schemas, API keys with
scopes acting with their user's rights, problem+json errors, cursor pagination, rate
limits, ETags."""
