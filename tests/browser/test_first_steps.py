"""A new buyer, a new supplier and a new organiser sign up in the browser, confirm their
address from the mail, log in, land on Mon espace and reach their first useful action
from it, without meeting a 403."""

import pytest

from tests.browser.test_need_journey import log_in

pytestmark = pytest.mark.browser

PASSWORD = "un-mot-de-passe-solide"
FIRST_STEPS = {
    # role radio label, first step's button on Mon espace, what the next page asks
    "buyer": ("Acheteur", "Créer ou rejoindre mon organisation", "SIRET"),
    "supplier": ("Structure inclusive", "Trouver ma structure par son SIRET", "SIRET"),
    "organiser": ("Organisateur de salons", "Créer mon premier salon", "Créer un salon d'affaires"),
}


@pytest.mark.parametrize("role", list(FIRST_STEPS))
def test_a_new_person_reaches_a_first_useful_action_from_my_space(app, live_server, page, mailbox, role):
    radio, first_step, next_page_asks = FIRST_STEPS[role]
    email = f"nouveau-{role}@example.fr"
    page.goto(f"{live_server}/inscription")
    page.get_by_label(radio).check()
    page.get_by_label("Prénom").fill("Camille")
    page.locator("#last_name").fill("Lefèvre")
    page.get_by_label("Adresse e-mail professionnelle").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_label("J'accepte les").check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()

    mailbox.wait_for(1)
    page.goto(live_server + mailbox.last_link(email, "/confirmer/"))
    log_in(page, live_server, email, PASSWORD)
    assert page.url.endswith("/mon-espace")
    assert page.get_by_role("heading", name="Première étape").is_visible()

    visited = []
    page.on("response", lambda response: visited.append((response.status, response.url)))
    page.get_by_role("link", name=first_step).first.click()
    page.wait_for_load_state()
    if role == "buyer":  # the organisation page offers to create one or to join one
        page.get_by_role("link", name="Inscrire mon organisation").click()
        page.wait_for_load_state()
    assert page.get_by_text(next_page_asks).first.is_visible()
    assert "Accès refusé" not in page.content()
    assert not [url for status, url in visited if status >= 400 and live_server in url], visited
