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
    moved = [{"code": code, "lat": shipped[code]["latitude"], "lon": shipped[code]["longitude"],
              "source": shipped[code]["coordinates_source"]}
             for code, lat, lon in stored
             if code in shipped and (round(lat, 5), round(lon, 5)) != (shipped[code]["latitude"],
                                                                     shipped[code]["longitude"])]
    if not moved:
        return
    bind.execute(sa.text("UPDATE communes SET latitude = :lat, longitude = :lon, coordinates_source = :source "
                         "WHERE insee_code = :code"), moved)
    op.create_table("moved_communes", sa.Column("code", sa.String(5), primary_key=True))
    bind.execute(sa.text("INSERT INTO moved_communes (code) VALUES (:code)"), [{"code": m["code"]} for m in moved])
    bind.execute(sa.text(
        "UPDATE suppliers SET latitude = (SELECT c.latitude FROM communes c WHERE c.insee_code = suppliers.commune_code),"
        " longitude = (SELECT c.longitude FROM communes c WHERE c.insee_code = suppliers.commune_code)"
        " WHERE commune_code IN (SELECT code FROM moved_communes)"))
    bind.execute(sa.text(
        "UPDATE activity_reach SET latitude = (SELECT s.latitude FROM suppliers s WHERE s.id = activity_reach.supplier_id),"
        " longitude = (SELECT s.longitude FROM suppliers s WHERE s.id = activity_reach.supplier_id)"
        " WHERE supplier_id IN (SELECT s.id FROM suppliers s JOIN moved_communes m ON m.code = s.commune_code)"))
    op.drop_table("moved_communes")


def downgrade():
    pass  # the old coordinates were wrong; nothing to restore
