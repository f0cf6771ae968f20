"""report tallies: running counts of live lead assignments (storage.tallies)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:30:00

Existing assignments are counted here with the same rules as storage.tallies.key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNT = """
INSERT INTO tallies (plan_id, dimension, key_id, status, due, late, answered, n)
SELECT plan_id, '{dimension}', {key}, status, due, late, answered, count(*) FROM (
    SELECT t.plan_id, a.agency_id, t.section_id, a.status,
           coalesce(a.due_override, t.due_date, '9999-12-31') AS due,
           CASE WHEN a.status = 'hoan_thanh'
                 AND a.done_on > coalesce(a.due_override, t.due_date) THEN true
                ELSE false END AS late,
           EXISTS (SELECT 1 FROM status_reports r WHERE r.assignment_id = a.id) AS answered
    FROM assignments a JOIN tasks t ON t.id = a.task_id
    WHERE a.role = 'lead' AND a.removed_at IS NULL AND t.withdrawn_at IS NULL
) AS live
GROUP BY plan_id, {key}, status, due, late, answered
"""


def upgrade() -> None:
    op.create_table(
        'tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('dimension', sa.String(length=10), nullable=False),
        sa.Column('key_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=30), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_tallies_plan_id_plans'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tallies')),
        sa.UniqueConstraint('plan_id', 'dimension', 'key_id', 'status', 'due', 'late',
                            'answered', name=op.f('uq_tallies_plan_id')),
    )
    for dimension, key in (("agency", "agency_id"), ("section", "section_id")):
        op.execute(_COUNT.format(dimension=dimension, key=key))


def downgrade() -> None:
    op.drop_table('tallies')
