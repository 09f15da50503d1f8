"""User accounts and their roles."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.accounts import passwords
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.timeutil import utcnow


class Role(enum.StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    ORGANISER = "organiser"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.BUYER: "Acheteur",
    Role.SUPPLIER: "Structure inclusive (fournisseur)",
    Role.ORGANISER: "Organisateur de salons",
    Role.ADMIN: "Administrateur de la plateforme",
}

# Roles a person may choose when signing up; admins are appointed.
SELF_SERVICE_ROLES = (Role.BUYER, Role.SUPPLIER, Role.ORGANISER)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    job_title: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    email_confirmed_at: Mapped[datetime | None]
    # Deactivated accounts keep all their data but can no longer log in.
    is_active: Mapped[bool] = mapped_column(default=True)
    # A regional directory's account: may import its directory's file (set by admins).
    is_directory_partner: Mapped[bool] = mapped_column(default=False, server_default="0")
    deactivated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    inactivity_warned_at: Mapped[datetime | None]  # told that the account will be closed if unused
    closed_at: Mapped[datetime | None]  # closed: the person's data erased or anonymised

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
