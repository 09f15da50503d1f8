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


def percent(basis_points: int) -> str:
    """Basis points as a French percentage figure (without the sign): 2000 -> 20, 550 -> 5,5."""
    whole, rest = divmod(int(basis_points), 100)
    return str(whole) if not rest else f"{whole},{rest:02d}".rstrip("0")


# Place names whose h is aspirated: no elision before them (de Haguenau, not d'Haguenau).
ASPIRATED_H = ("hag", "hal", "ham", "han", "har", "hau", "hav", "hay", "haz", "hen", "her", "hon", "hou", "hoy", "hu")
VOWELS = "aeiouyàâäéèêëîïôöûüœ"


def _elides(word: str) -> bool:
    """Whether "de" / "le" elide before `word`: a vowel or a mute h; not an acronym."""
    if not word:
        return False
    if len(word) > 1 and word[:2].isupper() and word.isupper():
        return False  # an acronym (de SNCF), read letter by letter
    lower = word.lower()
    if lower[0] == "h":
        return not lower.startswith(ASPIRATED_H)
    return lower[0] in VOWELS


def of(name: str) -> str:
    """"de" before a name, elided and contracted as French writes it: d'Aix-en-Provence,
    du Havre (de + Le), des Mureaux (de + Les), de La Seyne-sur-Mer, de Grasse."""
    if not name:
        return "de"
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return ("d'" if _elides(name) else "de ") + name


def count(number: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: 1 offre, 3 offres, 0 offre (French uses the
    singular below 2), 1 200 heures. `plural` defaults to the singular with an s on
    each word that needs one (given explicitly for the irregular ones)."""
    noun = singular if abs(number) < 2 else (plural or " ".join(word + "s" for word in singular.split(" ")))
    return f"{thousands(number)} {noun}"


def km(distance: float | None) -> str:
    """A distance as French writes it: 3,2 km, 12 km (no decimal past 10 km)."""
    if distance is None:
        return ""
    if distance >= 10:
        return f"{thousands(round(distance))}{NBSP}km"
    return f"{distance:.1f}".replace(".", ",").removesuffix(",0") + NBSP + "km"
