"""Buyer organisations (companies, public purchasers) and their members."""
