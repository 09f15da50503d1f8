"""The buyer-facing directory: search, supplier pages, exports, favourite lists, SIRET check."""
