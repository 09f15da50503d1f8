"""The layout holds for every demo role, on a laptop (1280 px) and a phone (390 px): the
page never scrolls sideways (a wide table scrolls inside its own container), the menu
fits on one line on a laptop, no page answers with a server error, and axe-core finds
no serious or critical accessibility violation.

The pages are each role's main pages on the demo data: Mon espace, the pages its menu
and Mon espace link to, and the pages those link to (as far as PAGES_PER_ROLE)."""

import pytest

from marketplace.demo import DEMO_PASSWORD
from tests.browser.test_need_journey import log_in
from tests.test_french_pages import ROLES, crawl

pytestmark = pytest.mark.browser

WIDTHS = {"ordinateur": (1280, 900), "téléphone": (390, 844)}
PAGES_PER_ROLE = 24
IMPACTS_REFUSED = ("serious", "critical")


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--size", "60", "--organisations", "30"])
    assert result.exit_code == 0, result.output
    return app


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
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in IMPACTS_REFUSED:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{path} at {width} px: axe {violation['impact']} {violation['id']} on {targets}")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_pages_hold_at_laptop_and_phone_widths_for_every_role(demo, live_server, browser, role):
    client = demo.test_client()
    if ROLES[role]:
        client.post("/connexion", data={"email": ROLES[role], "password": DEMO_PASSWORD})
    start = ["/mon-espace" if ROLES[role] else "/", "/annuaire?q=nettoyage", "/salons", "/tarifs"]
    paths = list(crawl(client, start, limit=PAGES_PER_ROLE))
    assert len(paths) >= 10
    problems = []
    for width, height in WIDTHS.values():
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        if ROLES[role]:
            log_in(page, live_server, ROLES[role], DEMO_PASSWORD)
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response.status < 500, f"{path} answers {response.status}"
            problems += _problems(page, path, width)
        context.close()
    print(f"\nlayout as {role}: {len(paths)} pages at {len(WIDTHS)} widths, {len(problems)} problems")
    assert not problems, "\n".join(problems)


def test_the_organiser_s_scheduling_pages_hold_at_both_widths(demo, live_server, browser):
    """Pages a crawl from Mon espace reaches too deep: own tables, the fair's settings
    (pauses, hold every accepted request), a run's progress with its stop button, the
    table plan."""
    from sqlalchemy import select

    from events.fairs.models import Fair, FairOrganiser
    from events.meetings.models import ScheduleRun
    from marketplace.accounts.models import User
    from marketplace.extensions import db

    with demo.app_context():
        organiser = db.session.scalar(select(User).where(User.email == ROLES["organisateur"]))
        fair = db.session.scalar(select(Fair).join(FairOrganiser).where(FairOrganiser.user_id == organiser.id)
                                 .order_by(Fair.starts_on.desc()))
        run = ScheduleRun(fair_id=fair.id, created_by_id=organiser.id)
        db.session.add(run)
        db.session.commit()
        paths = [f"/salons/{fair.id}/tables-attitrees", f"/salons/{fair.id}/modifier",
                 f"/salons/{fair.id}/programme/calculs/{run.id}", f"/salons/{fair.id}/plan-de-tables"]
    problems = []
    for width, height in WIDTHS.values():
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, ROLES["organisateur"], DEMO_PASSWORD)
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, f"{path} answers {response.status}"
            problems += _problems(page, path, width)
        context.close()
    assert not problems, "\n".join(problems)
