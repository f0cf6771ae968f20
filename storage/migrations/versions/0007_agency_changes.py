"""agency changes: merges and renames of agencies, applied again by every re-import

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'agency_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('directory', sa.String(length=200), nullable=False),
        sa.Column('old_name', sa.String(length=300), nullable=False),
        sa.Column('new_name', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('moved_assignments', sa.Integer(), nullable=False),
        sa.Column('moved_contacts', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_changes')),
    )


def downgrade() -> None:
    op.drop_table('agency_changes')
