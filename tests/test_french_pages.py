"""The French the demo's pages speak, scanned for the slips that French readers notice
at once: a missing elision (*de Aix*), *de le*, a count of 1 with a plural noun, *(s)*,
a place shown as a bare code, a decimal point, a lot's name said twice. The pages are
those each demo role reaches from Mon espace and its menu (links followed two steps)."""

import html
import re
from collections import deque

from marketplace.demo import DEMO_PASSWORD

ROLES = {
    "acheteur": "acheteur@demo.marche-inclusif.fr",
    "fournisseur": "fournisseur@demo.marche-inclusif.fr",
    "organisateur": "organisateur@demo.marche-inclusif.fr",
    "admin": "admin@demo.marche-inclusif.fr",
    "visiteur": None,
}
VOWEL = "aeiouyàâäéèêëîïôöûüœh"
SLIPS = [
    # "de", "que", "le", "la" before a vowel or a mute h, unless the word is an acronym (de EDF)
    ("missing elision", re.compile(
        rf"\b(?:de|que|le|la|ce|ne|se|je) "
        r"(?!(?:(?-i:[A-Z0-9]{2,})|la une|une|un|huit|onze)\b)"  # acronyms (de EDF), la une, numbers
        r"(?!hand|hall|hame|hang|hasa|haut|havr|hér[oa]|hêtr|hors|hagu|haze|hénin|hon[gt]|hou[sx])"  # aspirated h
        rf"(?=[{VOWEL}])", re.IGNORECASE)),
    ("de le / à le", re.compile(r"\b(?:de|à) (?:le|les) (?!\d)", re.IGNORECASE)),
    ("(s) for a plural", re.compile(r"\w\(s\)")),
    ("1 with a plural noun", re.compile(r"(?<![\d,\u202f\xa0])\b1 [A-Za-zÀ-ÿ]+(?:es|ts|ns|rs|ds|ls|és)\b")),
    ("a place as a bare code", re.compile(r"\b(?:[Dd]épartements?|[Rr]égions?|[Cc]ommunes?) \d")),
    ("a decimal point", re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")),
    ("a thing said twice", re.compile(r"\b((?:Lot|Lot n°) \d+ : )\1")),
    ("a number without its thousands space", re.compile(
        r"(?<![\d\u202f\xa0 ])\d{4,}(?:,\d+)?[\u202f\xa0 ](?:heures|€|structures|salariés|personnes|participants|"
        r"rendez-vous|offres|km)\b")),
    ("a span from a day to the same day", re.compile(r"\bdu (\d{1,2}(?:er)? \w+ \d{4}) au \1\b")),
    ("a date as figures", re.compile(r"\b\d{2}/\d{2}/\d{4}\b")),
    ("guillemets that can leave their words at a line's end", re.compile("«(?!\xa0)|(?<!\xa0)»")),
]
SKIP = re.compile(r"/deconnexion|\.(?:csv|xlsx|pdf|ics)\b|format=(?:csv|xlsx|pdf)|/static/|/api/|/metrics|"
                  r"mailto:|/bootstrap/|/pieces-jointes/|/suivi/|/pixel|/desabonnement|\?page=[3-9]")


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|code|pre|textarea|select|datalist)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"[ \t\r\n\f\v]+", " ", html.unescape(page))  # non-breaking spaces kept


def crawl(client, start: list[str], limit: int = 80) -> dict[str, str]:
    seen, pages, queue = set(start), {}, deque((path, 0) for path in start)
    while queue and len(pages) < limit:
        path, depth = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, f"{path} answers {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)
        pages[path] = page
        if depth < 2:
            for link in re.findall(r'href="(/[^"#]*)"', page):
                link = html.unescape(link)
                if link not in seen and not SKIP.search(link):
                    seen.add(link)
                    queue.append((link, depth + 1))
    return pages


def test_the_demo_pages_speak_french_without_slips(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--size", "80", "--organisations", "30"])
    assert result.exit_code == 0, result.output
    slips, crawled = [], 0
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD})
        pages = crawl(client, ["/mon-espace" if email else "/", "/annuaire?q=nettoyage", "/salons"])
        assert len(pages) >= 8, role
        crawled += len(pages)
        for path, page in pages.items():
            text = visible_text(page)
            for name, pattern in SLIPS:
                for found in pattern.finditer(text):
                    slips.append(f"{role} {path}: {name}: …{text[max(0, found.start() - 40):found.end() + 40]}…")
    print(f"French of the demo: {crawled} pages read as 5 roles, {len(slips)} slips")
    assert not slips, f"{len(slips)} slips:\n" + "\n".join(sorted(set(slips))[:120])


KNOWN_SLIPS = [
    "autour de Argenteuil", "Offre de Avenir Mohon", "Prestation de espaces verts", "Ville de Aix-en-Provence",
    "connecté en tant que acheteur", "1 personnes en insertion", "17 prévenue(s)", "3 offre(s)",
    "Lot 1 : Lot 1 : sites du centre", "à 0.0 km", "1100 heures", "du 18 mars 2027 au 18 mars 2027",
    "1 Brouillons", "1 Publiés", "Lieu : Départements 56", "Intervient : région 93", "commune 06004",
    "le 18/03/2027", "Les Jardins de Le Montet", "si vous cochez « Se souvenir de moi »",
]
WELL_WRITTEN = [
    "autour d'Argenteuil", "de EDF", "À la une", "1 offre reçue", "3 offres reçues",
    "à 0,4 km", "1 100 heures", "du 18 au 19 mars 2027", "Morbihan (56)", "le 18 mars 2027", "ESAT Les Iris",
    "Les Jardins du Montet", "de 8 h à 12 h", "d'une structure", "en situation de handicap", "de Haguenau",
    "connecté en tant qu'acheteur", "si vous cochez «\xa0Se souvenir de moi\xa0»",
]


def test_the_slip_detector_catches_each_known_slip_and_spares_good_french():
    for text in KNOWN_SLIPS:
        assert any(pattern.search(text) for _, pattern in SLIPS), text
    for text in WELL_WRITTEN:
        assert not [name for name, pattern in SLIPS if pattern.search(text)], text
