"""French text for people: numbers and money as written in France. Templates reach
these through filters (marketplace.app); services use them for messages."""

NARROW_NBSP = "\u202f"  # between thousands
NBSP = "\u00a0"  # before the euro sign


def thousands(number: int) -> str:
    """A whole number as written in French: 64 493."""
    return f"{int(number):,}".replace(",", NARROW_NBSP)


def money(cents: int | None, with_cents: bool = True) -> str:
    """Cents as French money: 1 234,50 € (no decimals for whole euros)."""
    if cents is None:
        return ""
    whole, rest = divmod(abs(int(cents)), 100)
    text = thousands(whole)
    if with_cents and rest:
        text += f",{rest:02d}"
    return ("-" if cents < 0 else "") + text + NBSP + "€"
