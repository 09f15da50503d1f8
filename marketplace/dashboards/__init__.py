"""Buyer and supplier dashboards, and buyers' yearly purchase totals."""
