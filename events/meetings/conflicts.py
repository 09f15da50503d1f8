"""Why the accepted requests cannot all be held, in the organiser's words: the smallest
set of requests that conflict (events/scheduling/required.py finds it), with the
participants' names and the fact behind it."""

from sqlalchemy import select

from events.fairs.models import Participant
from marketplace.extensions import db
from marketplace.french import count


def explain(conflict: dict) -> str:
    """The conflict as a French message of a few lines."""
    ids = {int(pid[1:]) for pid in conflict["participants"]}
    names = dict(db.session.execute(select(Participant.id, Participant.name).where(Participant.id.in_(ids))).all())

    def name(pid: str) -> str:
        return names.get(int(pid[1:]), pid)

    seen, pairs = set(), []
    for r in conflict["requests"]:  # as asked: who asked, whom (a mutual request once)
        if frozenset((r["from"], r["to"])) not in seen:
            seen.add(frozenset((r["from"], r["to"])))
            pairs.append((name(r["from"]), name(r["to"])))
    lines = [f"Les rendez-vous acceptés ne peuvent pas tous avoir lieu. Ces {count(len(pairs), 'demande')} "
             "ne peuvent pas être tenues ensemble :" if len(pairs) > 1 else
             "Les rendez-vous acceptés ne peuvent pas tous avoir lieu. Cette demande ne peut pas être tenue :"]
    lines += [f"– {a} et {b}" for a, b in pairs]
    lines.append("Pourquoi :")
    for reason in conflict["reasons"]:
        lines.append("– " + _reason(reason, name))
    lines.append("Libérez un créneau, retirez l'une de ces demandes ou décochez « Tenir tous les rendez-vous "
                 "acceptés », puis relancez le calcul.")
    return "\n".join(lines)


def _reason(reason: dict, name) -> str:
    code = reason["code"]
    if code == "no_common_slot":
        first, second = (name(p) for p in reason["participants"])
        return f"{first} et {second} n'ont aucun créneau disponible en commun."
    accepted = count(reason.get("meetings", 0), "rendez-vous accepté", "rendez-vous acceptés")
    if code == "capacity":
        return f"{name(reason['participant'])} a {accepted} pour un maximum de {reason['limit']}."
    if code == "slots":
        free = count(reason["slots"], "créneau disponible", "créneaux disponibles")
        return f"{name(reason['participant'])} a {accepted} pour {free}."
    if code == "tables":
        return f"{accepted} pour {count(reason['tables'], 'table libre')} sur ces créneaux."
    shared = ", ".join(name(p) for p in reason.get("participants", [])) or "ces participants"
    return f"{shared} ont trop de rendez-vous acceptés sur les mêmes créneaux (pauses comprises)."
