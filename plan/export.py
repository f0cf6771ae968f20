"""PlanDraft → plain dict for `nhacviec import --dry-run --json` (a stable, documented shape)."""

from __future__ import annotations

from typing import Any

from plan.model import PlanDraft, TaskDraft


def draft_to_dict(draft: PlanDraft) -> dict[str, Any]:
    meta = draft.meta
    return {
        "plan": {"code": meta.code, "date": meta.issued_on.isoformat() if meta.issued_on else None,
                 "title": meta.title, "issuer": meta.issuer, "year": meta.year},
        "layout": draft.layout,
        "tasks": [_task(task) for task in draft.tasks],
        "warnings": [{"line": w.line, "message": w.message} for w in draft.warnings],
        "duties": [_task(task) for task in draft.duties],
    }


def _task(task: TaskDraft) -> dict[str, Any]:
    return {
        "ref": task.ref, "section": task.section, "section_title": task.section_title,
        "number": task.number, "content": task.content, "product": task.product,
        "lead_text": task.lead_text, "coordinating_text": task.coordinating_text,
        "lead": [a.name for a in task.lead],
        "coordinating": [a.name for a in task.coordinating],
        "unresolved": [a.name for a in (*task.lead, *task.coordinating)
                       if a.kind == "unresolved"],
        "external": [a.name for a in (*task.lead, *task.coordinating) if a.kind == "external"],
        "open_groups": list(task.open_groups),
        "deadline_text": task.deadline.text, "deadline_kind": task.deadline.kind.value,
        "deadline_period": task.deadline.period,
        "due_date": task.deadline.due.isoformat() if task.deadline.due else None,
        "deadline_start": task.deadline.start.isoformat() if task.deadline.start else None,
        "deadline_days": [list(day) for day in task.deadline.days],
        "deadline_follow_up": task.deadline.follow_up,
        "part": task.part, "subsection": task.subsection, "extra": dict(task.extra),
        "note": task.note, "line": task.line,
    }
