"""Two organisers publishing the same programme at once: one publishes, the other is told
there is nothing new, and every participant gets exactly one agenda."""

import threading

from sqlalchemy import func, select

from events.fairs.models import Fair
from events.meetings import programme
from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage


def test_two_organisers_publishing_at_once_send_each_agenda_once(app, client, login, small_fair, make_user):
    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    assert client.post(f"/salons/{fair_id}/programme/calculer").status_code == 302
    colleague = make_user(role="organiser", email="collegue@so-eko.fr")
    client.post(f"/salons/{fair_id}/organisateurs", data={"email": "collegue@so-eko.fr"})
    with app.app_context():
        before = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.category == "meetings.agenda"))
    barrier = threading.Barrier(2)
    outcomes = []

    def publish(user_id):
        with app.app_context():
            try:
                fair = db.session.get(Fair, fair_id)
                actor = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                outcomes.append(programme.publish_programme(fair, actor))
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publish, args=(user,)) for user in (small_fair["organiser"], colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == sorted([5, "Rien de nouveau à publier : les participants ont déjà leur "
                                                   "agenda à jour."], key=str), outcomes
    with app.app_context():
        agendas = db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.category == "meetings.agenda")).all()
        assert len(agendas) - before == 5 and len(set(agendas)) == 5
