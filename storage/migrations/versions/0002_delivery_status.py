"""delivery status of sent messages (Twilio status callbacks)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 17:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('delivery_status', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('delivery_error', sa.String(length=12), nullable=True))
        batch.create_index(batch.f('ix_outbox_provider_message_id'), ['provider_message_id'],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_index(batch.f('ix_outbox_provider_message_id'))
        batch.drop_column('delivery_error')
        batch.drop_column('delivery_status')
