"""Calendars done right, reminders and matchmaking: a meeting's sequence (raised when it
moves or is cancelled) and when it was reminded, a fair's reminder delay, an outgoing
mail's calendar part; requests added from suggestions (auto wishes), a fair's threshold
for them and when they were added, and when its suggestions were mailed

Revision ID: 0027_calendars_and_reminders
Revises: 0026_pauses_and_stands
Create Date: 2026-12-06 14:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0027_calendars_and_reminders'
down_revision = '0026_pauses_and_stands'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('fairs') as batch:
        batch.add_column(sa.Column('reminder_minutes', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('auto_wishes_below', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('auto_wishes_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('suggestions_mailed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE fairs SET reminder_minutes = 30")
    with op.batch_alter_table('meeting_requests') as batch:
        batch.add_column(sa.Column('auto', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('calendar', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('calendar')
    with op.batch_alter_table('meeting_requests') as batch:
        batch.drop_column('auto')
    with op.batch_alter_table('fairs') as batch:
        batch.drop_column('suggestions_mailed_at')
        batch.drop_column('auto_wishes_at')
        batch.drop_column('auto_wishes_below')
        batch.drop_column('reminder_minutes')
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('reminded_at')
        batch.drop_column('sequence')
