"""The public home page."""
