"""What the organisations area asks of the areas above it (see marketplace/hooks.py)."""

from marketplace.hooks import Hook

# The buyer plan is sold by payments, which answers; lists, exports and alerts ask.
has_plan = Hook("whether a buyer organisation has the advanced tools now")
