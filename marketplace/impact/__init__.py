"""A buyer's inclusive-purchasing impact: the purchase ledger imported from its
accounting, the yearly report (shares by kind, place, sector and category; exports),
the OETH estimate and the EA/ESAT attestations behind it."""
