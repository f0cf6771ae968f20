"""assignments.answered: whether any answer is stored, kept with the status so that an
answer reads (and on PostgreSQL locks) its assignment in one statement

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('assignments', sa.Column('answered', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.execute("UPDATE assignments SET answered = true WHERE EXISTS "
               "(SELECT 1 FROM status_reports WHERE status_reports.assignment_id = "
               "assignments.id)")


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the table would trip the
    # foreign keys that point at it
    op.drop_column('assignments', 'answered')
