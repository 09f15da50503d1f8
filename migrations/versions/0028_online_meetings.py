"""Online and hybrid meetings: a session held by video, a meeting's video room, and a
meeting with no table (an online one)

Revision ID: 0028_online_meetings
Revises: 0027_calendars_and_reminders
Create Date: 2026-12-06 14:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0028_online_meetings'
down_revision = '0027_calendars_and_reminders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fair_sessions') as batch:
        batch.add_column(sa.Column('online', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('video_url', sa.String(length=300), nullable=True))
        batch.alter_column('table_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM meeting_seats WHERE meeting_id IN (SELECT id FROM meetings WHERE table_id IS NULL)")
    op.execute("DELETE FROM meeting_feedback WHERE meeting_id IN (SELECT id FROM meetings WHERE table_id IS NULL)")
    op.execute("DELETE FROM meetings WHERE table_id IS NULL")
    with op.batch_alter_table('meetings') as batch:
        batch.alter_column('table_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('video_url')
    with op.batch_alter_table('fair_sessions') as batch:
        batch.drop_column('online')
