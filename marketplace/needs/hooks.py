"""What the needs area asks of the areas above it (see marketplace/hooks.py): offers,
messaging, attachments and webhooks build on needs and answer these when imported."""

from marketplace.hooks import Hook, signal

# offers
offers_count = Hook("the live offers received on a need")
has_live_offers = Hook("whether a need has received an offer that still stands")
lot_has_offers = Hook("whether a lot has received an offer")
answered_question_ids = Hook("which of these questions offers have answered")
answering_suppliers = Hook("the suppliers the actor may answer a need for")
offers_of_supplier = Hook("a supplier's offers on a need, by lot id")

# messaging
threads_of_need = Hook("the message threads of a need, by supplier id", default=lambda need: {})

# attachments
attachments_of = Hook("the files joined to a need (offer_id None) or to one of its offers",
                      default=lambda need_id, offer_id=None: [])

# A need was published (sender: the need). Webhooks tell the partners of its region.
need_published = signal("need-published")
