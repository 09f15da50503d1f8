"""re-place communes that took a namesake's coordinates

Revision ID: 0005_commune_places
Revises: 0004_needs
Create Date: 2026-11-23

The shipped communes file was repaired (marketplace.geography.build.repair): communes
that had taken the coordinates of a namesake elsewhere in their region are placed again.
This copies the new coordinates into an existing database, with the suppliers located
in those communes. Reach departments of radius activities are derived data: refresh
them with `flask directory refresh`.
"""
from alembic import op
import sqlalchemy as sa

from marketplace.geography import reference

revision = '0005_commune_places'
down_revision = '0004_needs'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    shipped = {row["insee_code"]: row for row in reference.communes()}
    stored = bind.execute(sa.text("SELECT insee_code, latitude, longitude FROM communes")).all()
    moved = [shipped[code] for code, lat, lon in stored
             if code in shipped and (round(lat, 5), round(lon, 5)) != (shipped[code]["latitude"],
                                                                     shipped[code]["longitude"])]
    for row in moved:
        values = {"code": row["insee_code"], "lat": row["latitude"], "lon": row["longitude"],
                  "source": row["coordinates_source"]}
        bind.execute(sa.text("UPDATE communes SET latitude = :lat, longitude = :lon, coordinates_source = :source "
                             "WHERE insee_code = :code"), values)
        bind.execute(sa.text("UPDATE suppliers SET latitude = :lat, longitude = :lon WHERE commune_code = :code"),
                     values)
        bind.execute(sa.text("UPDATE activity_reach SET latitude = :lat, longitude = :lon WHERE supplier_id IN "
                             "(SELECT id FROM suppliers WHERE commune_code = :code)"), values)


def downgrade():
    pass  # the old coordinates were wrong; nothing to restore
