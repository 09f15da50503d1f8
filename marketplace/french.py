"""French text for people: numbers, money, dates as written in France. Templates reach
these through filters (marketplace.app); services use them for messages. Month and day
names come from Babel's French locale data (CLDR)."""

from datetime import date, datetime

from babel.dates import format_date
from jinja2.ext import Extension

LOCALE = "fr_FR"

NARROW_NBSP = "\u202f"  # between thousands
NBSP = "\u00a0"  # before the euro sign, inside guillemets


def hold_quotes(text: str) -> str:
    """French guillemets keep their words on their line: « and » take a non-breaking
    space inside (« Entretien des parcs » never ends a line on its «). Every page gets
    it (marketplace.app: the templates' text and what they print)."""
    return text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»")


class HoldQuotes(Extension):
    """Guillemets held in the templates' own text, as they are loaded."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return hold_quotes(source)


def finalize(value):
    """Guillemets held in what a template prints (messages, reasons, titles)."""
    return hold_quotes(value) if isinstance(value, str) else value


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


def noun(number: int, singular: str, plural: str | None = None) -> str:
    """The noun agreeing with a count (French uses the singular below 2): brouillon for 0
    or 1, brouillons from 2. `plural` defaults to an s on each word."""
    return singular if abs(number) < 2 else (plural or " ".join(word + "s" for word in singular.split(" ")))


def count(number: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: 1 offre, 3 offres, 0 offre, 1 200 heures."""
    return f"{thousands(number)} {noun(number, singular, plural)}"


def km(distance: float | None) -> str:
    """A distance as French writes it: 3,2 km, 12 km (no decimal past 10 km)."""
    if distance is None:
        return ""
    if distance >= 10:
        return f"{thousands(round(distance))}{NBSP}km"
    return f"{distance:.1f}".replace(".", ",").removesuffix(",0") + NBSP + "km"


def day(value: date, weekday: bool = False) -> str:
    """A date as French writes it: 18 mars 2027, 1er mars 2027 (jeudi 18 mars 2027)."""
    text = format_date(value, "d MMMM y", locale=LOCALE)
    if value.day == 1:
        text = "1er" + text[1:]
    return (format_date(value, "EEEE", locale=LOCALE) + " " + text) if weekday else text


def clock(value: datetime) -> str:
    """A time of day as French typography writes it: 14 h 30, 9 h."""
    return f"{value.hour} h" + (f" {value.minute:02d}" if value.minute else "")


def hours(start, end) -> str:
    """A span of hours: 9 h – 12 h 30."""
    return f"{clock(start)} – {clock(end)}"


def day_and_time(value: datetime) -> str:
    """18 mars 2027 à 14 h 30 (the caller gives the time as read in Paris)."""
    return f"{day(value)} à {clock(value)}"


def days(start: date, end: date) -> str:
    """A span of days, one day said once: le 18 mars 2027, du 18 au 19 mars 2027,
    du 28 février au 2 mars 2027, du 30 décembre 2026 au 2 janvier 2027."""
    if start == end:
        return "le " + day(start)
    first = day(start)
    if start.year == end.year:
        first = first.rsplit(" ", 1)[0]  # the year once
        if start.month == end.month:
            first = first.split(" ", 1)[0]  # the month once
    return f"du {first} au {day(end)}"
