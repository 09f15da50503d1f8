"""Inclusive suppliers: SIAE, disability-sector suppliers and consortiums, their activities and accounts."""
