"""answer dates for reports: status_reports.answered_on, assignments.done_on

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:20:00

Existing answers get their local date from `created_at` in NHACVIEC_TIMEZONE (default
Asia/Ho_Chi_Minh); done assignments get the date their last run of "done" answers began.
"""

import datetime as dt
import os
import zoneinfo
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE = "hoan_thanh"


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_on', sa.Date(), nullable=True))
    with op.batch_alter_table('status_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_status_reports_agency', ['agency_id', 'created_at'],
                              unique=False)
    _backfill(op.get_bind())
    with op.batch_alter_table('status_reports', schema=None) as batch_op:
        batch_op.alter_column('answered_on', existing_type=sa.Date(), nullable=False)


def _backfill(bind: sa.Connection) -> None:
    zone = zoneinfo.ZoneInfo(os.environ.get("NHACVIEC_TIMEZONE") or "Asia/Ho_Chi_Minh")
    reports = bind.execute(sa.text(
        "SELECT id, assignment_id, status, created_at FROM status_reports "
        "ORDER BY assignment_id, id")).all()
    dated: list[dict[str, object]] = []
    current: dict[int, dt.date | None] = {}
    for report_id, assignment_id, status, created_at in reports:
        if isinstance(created_at, str):  # SQLite hands back text
            created_at = dt.datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=dt.UTC)
        day = created_at.astimezone(zone).date()
        dated.append({"i": report_id, "d": day})
        if status != DONE:
            current[assignment_id] = None
        elif current.get(assignment_id) is None:
            current[assignment_id] = day
    done_on = {a: d for a, d in current.items() if d is not None}
    if dated:
        bind.execute(sa.text("UPDATE status_reports SET answered_on = :d WHERE id = :i"), dated)
    if done_on:
        bind.execute(sa.text("UPDATE assignments SET done_on = :d WHERE id = :i AND status = :s"),
                     [{"i": a, "d": d, "s": DONE} for a, d in done_on.items()])


def downgrade() -> None:
    with op.batch_alter_table('status_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_status_reports_agency')
        batch_op.drop_column('answered_on')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('done_on')
