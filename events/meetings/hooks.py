"""What the meetings area asks of the wiring above it (see marketplace/hooks.py)."""

from marketplace.hooks import Hook

# A scheduler run was started: compute it in the background (marketplace.jobs answers,
# on the heavy queue); returns whether it could be queued (a periodic sweep catches up).
compute_run_later = Hook("compute a scheduler run in the background")
