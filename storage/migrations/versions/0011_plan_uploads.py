"""plan_uploads: a plan file sent in the chat waits here, with its preview, until the
coordinator saves or cancels it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'plan_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('plan_code', sa.String(length=100), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_plan_uploads_contact_id_contacts'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_uploads')),
    )
    op.create_index('ix_plan_uploads_contact_id', 'plan_uploads', ['contact_id', 'state'])


def downgrade() -> None:
    op.drop_index('ix_plan_uploads_contact_id', table_name='plan_uploads')
    op.drop_table('plan_uploads')
