"""What the suppliers area asks of the areas above it (see marketplace/hooks.py).
Boosts are sold by payments, which answers these; suppliers only read them."""

from marketplace.hooks import Hook, signal

# Suppliers featured right now (first in searches that find them, told first of needs).
boosted_ids = Hook("the ids of the suppliers boosted right now", default=lambda: set())

# The manage page's boost panel: {"boosted_until": datetime | None, "price": Product | None}.
boost_panel = Hook("a supplier's boost: until when, and the price of one more",
                   default=lambda supplier: {"boosted_until": None, "price": None})

# A supplier was created, changed or delisted (sender: the supplier; change: the kind).
# Webhooks tell the partners.
supplier_changed = signal("supplier-changed")
