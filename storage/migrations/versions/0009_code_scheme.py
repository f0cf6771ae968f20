"""code scheme: new #mã codes avoid look-alike characters; codes already sent stay valid

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:00:00

Records the last assignment id at upgrade time: those ids keep their base-36 code, later
ones get a code from the look-alike-free alphabet (words.codes).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'code_scheme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('legacy_max', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_code_scheme')),
    )
    # Only a database that already handed out codes needs a row; a new one has none, and
    # every code it hands out is look-alike-free. (A backup carries the row it has.)
    op.execute("INSERT INTO code_scheme (id, legacy_max) "
               "SELECT 1, max(id) FROM assignments HAVING count(*) > 0")


def downgrade() -> None:
    op.drop_table('code_scheme')
