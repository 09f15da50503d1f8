"""What the accounts area asks of the areas above it (see marketplace/hooks.py)."""

from marketplace.hooks import Hook

# The profile page shows the user's buyer organisation; organisations answer.
membership_of = Hook("the user's membership of a buyer organisation (or None)", default=lambda user: None)
