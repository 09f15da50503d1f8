"""Suppliers' answers to needs (interest, offers per lot) and the buyer's decisions."""
