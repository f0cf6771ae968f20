"""task lifecycle: confirmation, pause, snooze, reassignment and occurrences of recurring duties

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added columns only, never a table rebuild: recreating `assignments` on SQLite would
    # trip the foreign keys of the answers and reminders that point at it.
    with op.batch_alter_table('plans', recreate='never') as batch:
        batch.add_column(sa.Column('confirm_done', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    with op.batch_alter_table('assignments', recreate='never') as batch:
        batch.add_column(sa.Column('cycle_due', sa.Date(), nullable=True))
        batch.add_column(sa.Column('paused_until', sa.Date(), nullable=True))
        batch.add_column(sa.Column('snoozed_until', sa.Date(), nullable=True))
        batch.add_column(sa.Column('reassigned_from', sa.Integer(), nullable=True))
    op.create_index('ix_assignments_cycle_due', 'assignments', ['cycle_due'])
    op.create_index('ix_assignments_snoozed_until', 'assignments', ['snoozed_until'])
    op.create_index('ix_assignments_paused_until', 'assignments', ['paused_until'])
    op.create_index('ix_tasks_deadline_kind', 'tasks', ['deadline_kind'])
    with op.batch_alter_table('status_reports', recreate='never') as batch:
        batch.add_column(sa.Column('until', sa.Date(), nullable=True))
        batch.add_column(sa.Column('occurrence_due', sa.Date(), nullable=True))
    with op.batch_alter_table('contacts', recreate='never') as batch:
        batch.add_column(sa.Column('away_until', sa.Date(), nullable=True))
        batch.add_column(sa.Column('stand_in_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35), for the same reason.
    with op.batch_alter_table('contacts', recreate='never') as batch:
        batch.drop_column('stand_in_id')
        batch.drop_column('away_until')
    with op.batch_alter_table('status_reports', recreate='never') as batch:
        batch.drop_column('occurrence_due')
        batch.drop_column('until')
    op.drop_index('ix_tasks_deadline_kind', 'tasks')
    op.drop_index('ix_assignments_paused_until', 'assignments')
    op.drop_index('ix_assignments_snoozed_until', 'assignments')
    op.drop_index('ix_assignments_cycle_due', 'assignments')
    with op.batch_alter_table('assignments', recreate='never') as batch:
        for name in ('reassigned_from', 'snoozed_until', 'paused_until', 'cycle_due'):
            batch.drop_column(name)
    with op.batch_alter_table('plans', recreate='never') as batch:
        batch.drop_column('confirm_done')
