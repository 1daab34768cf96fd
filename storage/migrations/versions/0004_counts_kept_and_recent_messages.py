"""a resident's last few messages with their conversation, for a hand-off request;
a broadcast's counts, and reminders' per day, kept when the purge deletes the messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('recent', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('broadcasts') as batch:
        batch.add_column(sa.Column('delivered', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('cancelled', sa.Integer(), nullable=False,
                                   server_default='0'))
    op.create_table(
        'reminder_tallies',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('queued', sa.Integer(), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('delivered', sa.Integer(), nullable=False),
        sa.Column('undelivered', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'channel', 'language',
                                name=op.f('pk_reminder_tallies')),
    )


def downgrade() -> None:
    op.drop_table('reminder_tallies')
    with op.batch_alter_table('broadcasts') as batch:
        batch.drop_column('cancelled')
        batch.drop_column('delivered')
    with op.batch_alter_table('conversations') as batch:
        batch.drop_column('recent')
