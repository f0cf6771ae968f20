"""inbox and leases: updates are stored before they are acknowledged; one poller per platform;
outbox.parts_sent: a long message resumes at its first unsent part

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('update_key', sa.String(length=120), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=80), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('replies', sa.JSON(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
        sa.UniqueConstraint('platform', 'update_key', name=op.f('uq_inbox_platform')),
    )
    op.create_index('ix_inbox_due', 'inbox', ['state', 'next_attempt_at'])
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False,
                                   server_default='0'))
    op.create_table(
        'leases',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('holder', sa.String(length=80), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_leases')),
    )


def downgrade() -> None:
    op.drop_table('leases')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('parts_sent')
    op.drop_index('ix_inbox_due', table_name='inbox')
    op.drop_table('inbox')
