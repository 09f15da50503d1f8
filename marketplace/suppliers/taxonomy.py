"""The words of the directory: supplier kinds, kinds of service, sectors, labels, networks."""

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db


class SupplierKind(enum.StrEnum):
    EI = "EI"
    AI = "AI"
    ACI = "ACI"
    ETTI = "ETTI"
    EITI = "EITI"
    GEIQ = "GEIQ"
    EA = "EA"
    EATT = "EATT"
    ESAT = "ESAT"
    ESS = "ESS"
    CONSORTIUM = "CONSORTIUM"

    @property
    def label(self) -> str:
        return SUPPLIER_KIND_LABELS[self]


SUPPLIER_KIND_LABELS = {
    SupplierKind.EI: "Entreprise d'insertion (EI)",
    SupplierKind.AI: "Association intermédiaire (AI)",
    SupplierKind.ACI: "Atelier et chantier d'insertion (ACI)",
    SupplierKind.ETTI: "Entreprise de travail temporaire d'insertion (ETTI)",
    SupplierKind.EITI: "Entreprise d'insertion par le travail indépendant (EITI)",
    SupplierKind.GEIQ: "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)",
    SupplierKind.EA: "Entreprise adaptée (EA)",
    SupplierKind.EATT: "Entreprise adaptée de travail temporaire (EATT)",
    SupplierKind.ESAT: "Établissement et service d'accompagnement par le travail (ESAT)",
    SupplierKind.ESS: "Autre entreprise de l'économie sociale et solidaire (SCOP, SCIC…)",
    SupplierKind.CONSORTIUM: "Groupement de structures inclusives",
}

SIAE_KINDS = (SupplierKind.EI, SupplierKind.AI, SupplierKind.ACI, SupplierKind.ETTI, SupplierKind.EITI,
              SupplierKind.GEIQ)
DISABILITY_KINDS = (SupplierKind.EA, SupplierKind.EATT, SupplierKind.ESAT)


class ServiceKind(enum.IntFlag):
    """Kinds of service an activity covers (stored as a bit set)."""

    STAFF = 1
    SERVICE = 2
    GOODS = 4
    WORKS = 8

    @property
    def label(self) -> str:
        return SERVICE_KIND_LABELS[self]

    @property
    def slug(self) -> str:
        return self.name.lower()


SERVICE_KIND_LABELS = {
    ServiceKind.STAFF: "Mise à disposition de personnel",
    ServiceKind.SERVICE: "Prestation de services",
    ServiceKind.GOODS: "Fourniture ou production de biens",
    ServiceKind.WORKS: "Travaux de bâtiment",
}


def service_kinds_of(mask: int) -> list[ServiceKind]:
    return [kind for kind in ServiceKind if mask & kind]


LABELS = {
    "afaq-ei-etti": "AFAQ EI/ETTI",
    "iso-9001": "ISO 9001",
    "iso-14001": "ISO 14001",
    "iso-45001": "ISO 45001",
    "qualiopi": "Qualiopi",
    "lucie": "Label LUCIE",
    "qualibat": "Qualibat",
    "rge": "RGE",
}

NETWORKS = {
    "coorace": "Coorace",
    "fei": "Fédération des entreprises d'insertion",
    "chantier-ecole": "Chantier école",
    "unai": "UNAI",
    "emmaus": "Emmaüs",
    "envie": "Envie",
    "tissons": "Tissons la solidarité",
    "cocagne": "Réseau Cocagne",
    "unea": "UNEA",
    "gesat": "GESAT",
}


class SectorGroup(db.Model):
    __tablename__ = "sector_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sectors: Mapped[list["Sector"]] = relationship(back_populates="group", order_by="Sector.name")


class Sector(db.Model):
    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    group_id: Mapped[int] = mapped_column(ForeignKey("sector_groups.id"), index=True)
    group: Mapped[SectorGroup] = relationship(back_populates="sectors")
