"""what the new readers keep on a task: start of work, recurrence days, part, sub-group, extras

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:30:00

`deadline_start` is when ongoing or ranged work begins (never a due date); `deadline_days`
pins a recurring duty to its days ([[month, day], …], see plan.model.Deadline); `part` and
`subsection` place the task under the appendix's parts and sub-groups; `extra` keeps the
columns the appendix has beyond ours (`Nguồn kinh phí`…). All are empty for older plans.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deadline_days', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('part', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('subsection', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): recreating `tasks` would trip the foreign keys of
    # the assignments that point at it.
    with op.batch_alter_table('tasks', schema=None, recreate='never') as batch_op:
        for column in ('extra', 'subsection', 'part', 'deadline_days', 'deadline_start'):
            batch_op.drop_column(column)
