"""Editing a published need once offers are in: an answered question stays as it was
answered, and the deadline may be extended (recorded, and told to the suppliers) but
never brought forward."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.needs.models import Need, NeedDeadlineChange
from marketplace.offers.models import Offer, OfferAnswer
from marketplace.timeutil import utc_to_paris, utcnow
from tests.conftest import visible_text
from tests.needs.test_need_lifecycle import answer_all, deliver, lots_of, need_form, offer_form

QUESTIONS = ["Combien de salariés en insertion ?", "Quel matériel fournissez-vous ?"]


@pytest.fixture
def answered_need(app, client, login, buyer, make_user, make_supplier, make_need, mailbox):
    """A published need with two questions, and an offer that answered both."""
    supplier_user = make_user(role="supplier", email="direction@proprete-grasse.fr")
    supplier_id = make_supplier(name="Propreté du Pays de Grasse", email="contact@proprete-grasse.fr",
                                member_id=supplier_user, activities=[{"sector": "nettoyage"}])
    need_id = make_need(buyer, questions=QUESTIONS)
    deliver(app)
    supplier = app.test_client()
    login(supplier, supplier_user)
    supplier.post(f"/besoins/{need_id}/interet?structure={supplier_id}")
    lot = lots_of(app, need_id)[0]
    response = supplier.post(f"/besoins/{need_id}/lots/{lot}/offre?structure={supplier_id}",
                             data=answer_all(app, need_id, offer_form()))
    assert response.status_code == 302
    login(client, buyer)
    mailbox.clear()
    with app.app_context():
        deadline = db.session.get(Need, need_id).deadline
    return need_id, deadline


def edit(app, client, need_id, deadline, questions, json=False):
    form = need_form(app, area="france", questions="\n".join(questions), lot_title=[""], lot_budget_min=[""],
                     lot_budget_max=[""], lot_description=[""], action="save",
                     deadline=utc_to_paris(deadline).strftime("%Y-%m-%dT%H:%M"))
    if json:
        form = {**form, "questions": questions, "lots": []}
        return client.post(f"/besoins/{need_id}/modifier", json=form,
                           headers={"Accept": "application/json", "X-CSRFToken": client.csrf_token()})
    return client.post(f"/besoins/{need_id}/modifier", data=form)


def answers(app) -> list[str]:
    with app.app_context():
        return [answer.text for answer in db.session.scalars(select(OfferAnswer))]


def test_an_answered_question_cannot_be_removed_or_reworded(app, client, answered_need):
    need_id, deadline = answered_need
    for questions in ([QUESTIONS[0]], [QUESTIONS[1]], [QUESTIONS[0], "Quelles machines ?"]):
        response = edit(app, client, need_id, deadline, questions)
        assert response.status_code == 422
        assert "a déjà reçu des réponses" in visible_text(response)
    refused = edit(app, client, need_id, deadline, [QUESTIONS[0]], json=True)
    assert refused.status_code == 422 and "questions" in refused.get_json()["errors"]
    with app.app_context():
        assert [q.text for q in db.session.get(Need, need_id).questions] == QUESTIONS
    assert answers(app) == ["Trois salariés en parcours."] * 2
    # Adding a question after the answered ones is fine.
    assert edit(app, client, need_id, deadline, [*QUESTIONS, "Pouvez-vous commencer en mars ?"]).status_code == 302
    with app.app_context():
        assert len(db.session.get(Need, need_id).questions) == 3
    assert answers(app) == ["Trois salariés en parcours."] * 2


def test_the_deadline_can_be_extended_but_not_brought_forward_once_offers_are_in(app, client, answered_need,
                                                                                   mailbox):
    need_id, deadline = answered_need
    earlier = edit(app, client, need_id, deadline - timedelta(days=5), QUESTIONS)
    assert earlier.status_code == 422
    assert "la date limite peut être reportée, pas avancée" in visible_text(earlier)
    with app.app_context():
        assert db.session.get(Need, need_id).deadline == deadline
        assert db.session.scalar(select(NeedDeadlineChange)) is None

    later = deadline + timedelta(days=7)
    assert edit(app, client, need_id, later, QUESTIONS).status_code == 302
    with app.app_context():
        assert db.session.get(Need, need_id).deadline == later.replace(second=0, microsecond=0)
        change = db.session.scalar(select(NeedDeadlineChange))
        assert change.previous == deadline and change.deadline == later.replace(second=0, microsecond=0)
    deliver(app)
    told = mailbox.to("contact@proprete-grasse.fr")
    assert told and "La date limite de réponse a changé" in mailbox.text(told[-1])
    page = visible_text(client.get(f"/besoins/{need_id}"))
    assert "Modifiée le" in page and "auparavant" in page


def test_without_offers_the_deadline_may_move_earlier(app, client, login, buyer, make_need):
    need_id = make_need(buyer)
    login(client, buyer)
    soon = utcnow() + timedelta(days=2)
    assert edit(app, client, need_id, soon, []).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Offer)) is None
        assert db.session.get(Need, need_id).deadline == soon.replace(second=0, microsecond=0)
