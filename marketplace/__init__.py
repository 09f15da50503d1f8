"""Inclusive B2B procurement marketplace."""
