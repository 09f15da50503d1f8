"""Stands: a participant with a table of their own all day (typically a buyer who
receives suppliers there; « table attitrée » on screen, as the fair's exhibition stands
are another thing). The organiser assigns them one at a time or from a CSV; the
scheduler then puts every meeting of theirs at that table, and agendas, the table plan
and the signs name them."""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select

from events.fairs.models import Fair, FairTable, Participant
from events.fairs.registration import confirmed_only
from events.fairs.services import ensure_organiser
from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import sniff_dialect

IMPORT_COLUMNS = ("participant", "table")


def stand_holders(fair: Fair) -> list[Participant]:
    """The fair's confirmed participants with a stand, by table number."""
    return list(db.session.scalars(confirmed_only(select(Participant), fair, ordered=False)
                                   .join(FairTable, FairTable.id == Participant.table_id)
                                   .order_by(FairTable.number)))


def assign_stand(fair: Fair, participant: Participant, table: FairTable | None, actor: User) -> None:
    """Give `participant` the table as their stand (None: take it back). A table is one
    participant's stand at most. Their unpublished meetings move there at the next run."""
    ensure_organiser(fair, actor)
    if participant.fair_id != fair.id or not participant.is_confirmed:
        raise DomainError("Ce participant n'est pas inscrit à ce salon.", "participant")
    if table is not None:
        if table.fair_id != fair.id:
            raise DomainError("Cette table n'existe pas pour ce salon.", "table")
        holder = db.session.scalar(select(Participant).where(
            Participant.table_id == table.id, Participant.id != participant.id))
        if holder is not None:
            raise DomainError(f"{table.name} est déjà la table attitrée de {holder.name}.", "table")
    participant.table_id = table.id if table is not None else None


def table_by_number(fair: Fair, number: int) -> FairTable | None:
    return db.session.scalar(select(FairTable).where(FairTable.fair_id == fair.id, FairTable.number == number))


@dataclass
class StandLine:
    line: int
    participant: str
    table: str
    outcome: str  # "attribuée", "inchangée", "erreur"
    message: str = ""


def import_stands(fair: Fair, content: str, actor: User, dry_run: bool = False) -> list[StandLine]:
    """Assign stands from a CSV (participant;table): the participant by number, contact
    e-mail or exact name; the table by number. Importing twice changes nothing more; a
    dry run changes nothing; each line's error is reported."""
    ensure_organiser(fair, actor)
    reader = csv.DictReader(io.StringIO(content), dialect=sniff_dialect(content))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(f"Colonnes manquantes : {', '.join(missing)}. Attendu : {';'.join(IMPORT_COLUMNS)}.",
                          "file")
    report = []
    for number, row in enumerate(reader, start=2):
        who, where = (row.get("participant") or "").strip(), (row.get("table") or "").strip()
        try:
            participant = _find(fair, who)
            table = table_by_number(fair, int(where)) if where.isdigit() else None
            if table is None:
                raise DomainError(f"table {where!r} inconnue : un numéro de 1 à {len(fair.tables)}")
            if participant.table_id == table.id:
                report.append(StandLine(number, participant.name, table.name, "inchangée"))
                continue
            with db.session.begin_nested() as nested:
                assign_stand(fair, participant, table, actor)
                db.session.flush()
                if dry_run:
                    nested.rollback()
            report.append(StandLine(number, participant.name, table.name, "attribuée"))
        except DomainError as error:
            report.append(StandLine(number, who, where, "erreur", error.message))
    return report


def _find(fair: Fair, text: str) -> Participant:
    """A confirmed participant by number, contact e-mail or exact name (case aside)."""
    query = confirmed_only(select(Participant), fair, ordered=False)
    if text.isdigit():
        found = list(db.session.scalars(query.where(Participant.id == int(text))))
    elif "@" in text:
        found = list(db.session.scalars(query.where(func.lower(Participant.contact_email) == text.lower())))
    else:
        found = list(db.session.scalars(query.where(func.lower(Participant.name) == text.lower())))
    if not found:
        raise DomainError(f"aucun participant confirmé « {text} » (numéro, e-mail ou nom exact)")
    if len(found) > 1:
        raise DomainError(f"plusieurs participants répondent à « {text} » : donnez leur numéro")
    return found[0]
