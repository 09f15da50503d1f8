"""Paid features through Stripe: the catalogue, orders and their invoices, payments,
webhooks, refunds and recovery. With no Stripe key, every paid feature is free."""
