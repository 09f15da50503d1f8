"""What the fairs area asks of, and announces to, the meetings area above it (see
marketplace/hooks.py): fairs never import meetings."""

from marketplace.hooks import Hook, signal

fair_has_meetings = Hook("whether meetings were placed at a fair")
table_holds_meetings = Hook("whether meetings were placed at a fair's table")
past_fair_summary = Hook("a past fair's figures for its card (meetings held, participants)")
suggestions_for = Hook("whom a participant should meet at their fair, ranked with the reasons why")
day_at_the_desk = Hook("what the check-in desk sees of the meetings now: the slot, who is late, the free tables")

# A registration was cancelled (sender: the participant): its meetings are cancelled
# and the other parties told, in the same transaction.
participant_cancelled = signal("participant-cancelled")
