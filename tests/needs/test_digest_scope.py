"""The weekly digest tells a supplier only what it may open: the needs it was told of
(never past the batch cap) and the public needs that match it; every link answers 200
for its recipient. Suppliers listed after a need's publication join its queue."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.needs.digest import build_digests
from marketplace.needs.models import Need, NeedSupplier
from marketplace.needs.outreach import tell_next_batch
from marketplace.needs.services import run_schedule
from tests.needs.test_need_lifecycle import deliver

CLEANING = [{"sector": "nettoyage"}]


def digests(mailbox) -> dict[str, str]:
    return {message["To"]: mailbox.text(message) for message in mailbox.messages
            if "pour votre structure cette semaine" in message["Subject"]}


def told_addresses(app, need_id: int) -> set[str]:
    with app.app_context():
        return {link.supplier.email for link in db.session.scalars(
            select(NeedSupplier).where(NeedSupplier.need_id == need_id, NeedSupplier.told_at.is_not(None)))}


def test_the_digest_lists_told_and_public_needs_only_and_every_link_opens(app, buyer, make_user, make_supplier,
                                                                          make_need, login, mailbox):
    app.config["NEED_BATCH_SIZE"] = 5
    members = {}
    for number in range(40):
        user = make_user(role="supplier", email=f"gerant{number}@siae.fr")
        make_supplier(name=f"Propreté Solidaire {number}", email=f"contact{number}@siae.fr", member_id=user,
                      activities=CLEANING)
        members[f"contact{number}@siae.fr"] = user
    private = make_need(buyer, title="Nettoyage des bureaux de la mairie")
    make_need(buyer, title="Entretien des gymnases", is_public=True)
    told_private = told_addresses(app, private)
    assert len(told_private) == 5  # the batch cap
    deliver(app)
    mailbox.clear()
    with app.app_context():
        assert build_digests() == 40  # the public need reaches every matching supplier
        db.session.commit()
    deliver(app)
    sent = digests(mailbox)
    assert set(sent) == set(members)
    for address, text in sent.items():
        assert "Entretien des gymnases" in text
        assert ("Nettoyage des bureaux de la mairie" in text) == (address in told_private), address
        client = app.test_client()
        login(client, members[address])
        for path in re.findall(r"https?://[^/\s]+(/besoins/\d+[^\s]*)", text):
            assert client.get(path).status_code == 200, (address, path)


def test_a_supplier_listed_after_publication_joins_the_queue_and_is_told(app, buyer, make_supplier, make_need,
                                                                        mailbox):
    app.config["NEED_BATCH_SIZE"] = 5
    make_supplier(name="Propreté du Pays de Grasse", email="premiere@siae.fr", activities=CLEANING)
    need_id = make_need(buyer, title="Nettoyage des bureaux de la mairie")
    late = make_supplier(name="Les Ateliers du Littoral", email="nouvelle@siae.fr", activities=CLEANING)
    elsewhere = make_supplier(name="Jardins du Nord", email="jardins@siae.fr", activities=[{"sector": "espaces-verts"}])
    with app.app_context():
        assert run_schedule()["matched"] == 1  # the late supplier matches, the gardener does not
        assert run_schedule()["matched"] == 0  # each change is matched once
        linked = set(db.session.scalars(select(NeedSupplier.supplier_id).where(NeedSupplier.need_id == need_id)))
        assert late in linked and elsewhere not in linked
        tell_next_batch(db.session.get(Need, need_id))
        db.session.commit()
    deliver(app)
    assert any("Nettoyage des bureaux de la mairie" in mailbox.text(m) for m in mailbox.to("nouvelle@siae.fr"))
