"""Pauses and stands: a fair's and a participant's most meetings in a row, a
participant's own table all day, slots a participant blocked, "hold every accepted
request", and a run's stop request

Revision ID: 0026_pauses_and_stands
Revises: 0025_fts_terms
Create Date: 2026-12-06 15:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0026_pauses_and_stands'
down_revision = '0025_fts_terms'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fairs') as batch:
        batch.add_column(sa.Column('max_in_a_row', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('hold_accepted', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('fair_participants') as batch:
        batch.add_column(sa.Column('max_in_a_row', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('table_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_fair_participants_table_id_fair_tables', 'fair_tables', ['table_id'], ['id'])
    op.create_table(
        'fair_participant_unavailable_slots',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['fair_participants.id'],
                                name=op.f('fk_fair_participant_unavailable_slots_participant_id_fair_participants')),
        sa.ForeignKeyConstraint(['slot_id'], ['fair_slots.id'],
                                name=op.f('fk_fair_participant_unavailable_slots_slot_id_fair_slots')),
        sa.PrimaryKeyConstraint('participant_id', 'slot_id', name=op.f('pk_fair_participant_unavailable_slots')),
    )
    with op.batch_alter_table('schedule_runs') as batch:
        batch.add_column(sa.Column('stop_requested_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule_runs') as batch:
        batch.drop_column('stop_requested_at')
    op.drop_table('fair_participant_unavailable_slots')
    with op.batch_alter_table('fair_participants') as batch:
        batch.drop_constraint('fk_fair_participants_table_id_fair_tables', type_='foreignkey')
        batch.drop_column('table_id')
        batch.drop_column('max_in_a_row')
    with op.batch_alter_table('fairs') as batch:
        batch.drop_column('hold_accepted')
        batch.drop_column('max_in_a_row')
