"""Reading a CCHC plan: pure functions from document rows to a `PlanDraft`.

Nothing in this package performs I/O; readers take bytes, parsers take rows.
"""

from plan.model import (
    Deadline,
    DeadlineKind,
    ParseWarning,
    PlanDraft,
    PlanMeta,
    TaskDraft,
)

__all__ = ["Deadline", "DeadlineKind", "ParseWarning", "PlanDraft", "PlanMeta", "TaskDraft"]
