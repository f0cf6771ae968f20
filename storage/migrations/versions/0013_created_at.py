"""tasks.created_at, assignments.created_at: the day a re-import added a task or an
assignment to a plan already tracked, so that a report as of an earlier day leaves it out
(empty for what the plan held from its first import, and for every row before this)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('tasks', 'assignments'):
        op.add_column(table, sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ('assignments', 'tasks'):
        op.drop_column(table, 'created_at')
