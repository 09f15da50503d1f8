"""Buyers' needs: drafting, moderation, publication, matching and telling suppliers."""
