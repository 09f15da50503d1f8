"""What the payments area announces to the areas above it (see marketplace/hooks.py)."""

from marketplace.hooks import signal

# An order was paid and is being fulfilled (sender: the order), once per order. What it
# grants beyond payments' own products (a fair ticket confirms a registration) is done
# by the area that sold it.
order_paid = signal("order-paid")
