"""a visit's life after booking (confirmation, outcome, moves) and staff speaking to
residents (broadcasts, hand-offs)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 21:10:00
"""
from alembic import op
import sqlalchemy as sa



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bookings') as batch:
        batch.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('moves', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('outcome_by', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('reason', sa.Text(), nullable=True))
    with op.batch_alter_table('timers') as batch:
        batch.create_index('ix_timers_resident', ['resident_id', 'fired_at'], unique=False)
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('status', existing_type=sa.String(length=8),
                           type_=sa.String(length=12), existing_nullable=False)
        batch.create_index(batch.f('ix_outbox_broadcast_id'), ['broadcast_id'], unique=False)
    with op.batch_alter_table('broadcasts') as batch:
        batch.add_column(sa.Column('filters', sa.JSON(), nullable=False, server_default='{}'))
        batch.add_column(sa.Column('recipients', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('created_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'handoffs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.String(length=64), nullable=True),
        sa.Column('group_message_id', sa.String(length=32), nullable=True),
        sa.Column('last_notice_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'],
                                name=op.f('fk_handoffs_resident_id_residents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs')))
    with op.batch_alter_table('handoffs') as batch:
        batch.create_index(batch.f('ix_handoffs_resident_id'), ['resident_id'], unique=False)
        batch.create_index(batch.f('ix_handoffs_group_message_id'), ['group_message_id'],
                           unique=False)


def downgrade() -> None:
    op.drop_table('handoffs')
    with op.batch_alter_table('broadcasts') as batch:
        for column in ('cancelled_at', 'started_at', 'created_by', 'recipients', 'filters'):
            batch.drop_column(column)
    with op.batch_alter_table('outbox') as batch:
        batch.drop_index(batch.f('ix_outbox_broadcast_id'))
        batch.alter_column('status', existing_type=sa.String(length=12),
                           type_=sa.String(length=8), existing_nullable=False)
    with op.batch_alter_table('timers') as batch:
        batch.drop_index('ix_timers_resident')
    with op.batch_alter_table('bookings') as batch:
        for column in ('reason', 'outcome_at', 'outcome_by', 'moves', 'confirmed_at'):
            batch.drop_column(column)
