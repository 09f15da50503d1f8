"""Regions, departments and communes (reference data, loaded by a migration)."""

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Department(db.Model):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)


class Commune(db.Model):
    __tablename__ = "communes"
    __table_args__ = (Index("ix_communes_search_name", "search_name"),)

    insee_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Lower-case, accents dropped: what a search box is compared with.
    search_name: Mapped[str] = mapped_column(String(100))
    postcodes: Mapped[str] = mapped_column(String(255))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    population: Mapped[int] = mapped_column(Integer)
    coordinates_source: Mapped[str] = mapped_column(String(12))

    @property
    def label(self) -> str:
        return f"{self.name} ({self.department_code})"
