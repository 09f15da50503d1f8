"""Outgoing webhooks: partners subscribe to supplier changes and to new public needs in
their region; deliveries are signed (HMAC-SHA256), retried with backoff, and logged."""
