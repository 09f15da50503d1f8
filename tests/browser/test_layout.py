"""The layout holds for every role, on a laptop (1280 px) and a phone (390 px): the page
never scrolls sideways (a wide table scrolls inside its own container), the menu fits
on one line on a laptop, no page answers with a server error, and axe-core finds no
serious or critical accessibility violation."""

import pytest

from tests.browser.test_need_journey import log_in
from tests.conftest import email_of

pytestmark = pytest.mark.browser

WIDTHS = {"ordinateur": (1280, 900), "téléphone": (390, 844)}
PAGES = {
    None: ["/", "/annuaire?q=nettoyage", "/salons", "/tarifs", "/inscription", "/informations/confidentialite"],
    "buyer": ["/mon-espace", "/besoins", "/besoins/nouveau", "/tableau-de-bord", "/annuaire?q=nettoyage",
              "/organisations/mienne", "/profil"],
    "supplier": ["/mon-espace", "/opportunites", "/mes-offres", "/structures/mes-structures", "/tableau-de-bord"],
    "organiser": ["/mon-espace", "/salons", "/salons/nouveau"],
    "admin": ["/mon-espace", "/admin/utilisateurs", "/besoins/moderation"],
}
IMPACTS_REFUSED = ("serious", "critical")


def _problems(page, path: str, width: int) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    problems = []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{path} at {width} px scrolls sideways by {overflow} px")
    if width >= 1200:
        nav_height = page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")
        if nav_height > 64:
            problems.append(f"{path} at {width} px: the menu takes {nav_height:.0f} px (more than one line)")
    results = Axe().run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in IMPACTS_REFUSED:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{path} at {width} px: axe {violation['impact']} {violation['id']} on {targets}")
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_hold_at_laptop_and_phone_widths_for_every_role(app, live_server, browser, role, buyer,
                                                             make_user, make_supplier):
    user_id = {None: None, "buyer": buyer}.get(role) or (make_user(role=role) if role else None)
    if role == "supplier":
        make_supplier(name="Les Ateliers du Littoral", member_id=user_id,
                      activities=[{"sector": "nettoyage", "range": "radius", "radius": 30}])
    problems = []
    for width, height in WIDTHS.values():
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        if user_id:
            log_in(page, live_server, email_of(app, user_id))
        for path in PAGES[role]:
            response = page.goto(f"{live_server}{path}")
            assert response.status < 500, f"{path} answers {response.status}"
            problems += _problems(page, path, width)
        context.close()
    assert not problems, "\n".join(problems)
