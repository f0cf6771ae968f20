"""A plan file (a path, or bytes from a chat upload) → its draft, read with the agency
directory its issuer calls for."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from config.directories import Choice, choose
from ingest.bounded import DEFAULT_LIMITS, Limits, run_bounded
from ingest.files import read_bytes, read_file
from plan.model import ParseWarning, PlanDraft, PlanMeta
from plan.parse import parse_plan, plan_meta
from plan.rows import Document


def read_plan(path: Path, directory_name: str | None,
              overrides: PlanMeta | None = None) -> tuple[PlanDraft, Choice]:
    """File → draft, read with the directory its issuer calls for (or the one named).

    Every failure is a PlanFormatError or DirectoryError with a Vietnamese message."""
    return _draft(read_file(path), directory_name, overrides)


def read_plan_bytes(name: str, data: bytes, directory_name: str | None = None
                    ) -> tuple[PlanDraft, Choice]:
    """Like `read_plan`, for a file that arrived in the chat (same limits)."""
    return _draft(read_bytes(name, data), directory_name, None)


def read_plan_limited(path: Path, directory_name: str | None,
                      overrides: PlanMeta | None = None, limits: Limits = DEFAULT_LIMITS
                      ) -> tuple[PlanDraft, Choice]:
    """`read_plan` in a worker under a time and memory limit (ingest.bounded)."""
    return run_bounded(read_plan, path, directory_name, overrides, limits=limits)


def read_plan_bytes_limited(name: str, data: bytes, directory_name: str | None,
                            limits: Limits) -> tuple[PlanDraft, Choice]:
    """`read_plan_bytes` in a worker under a time and memory limit (ingest.bounded)."""
    return run_bounded(read_plan_bytes, name, data, directory_name, limits=limits)


def _draft(document: Document, directory_name: str | None,
           overrides: PlanMeta | None) -> tuple[PlanDraft, Choice]:
    choice = choose(plan_meta(document.rows, overrides), directory_name)
    draft = parse_plan(document.rows, choice.directory, overrides, layout=document.layout)
    if choice.warning:
        note = ParseWarning(1, f"danh mục cơ quan: {choice.warning}")
        draft = dataclasses.replace(draft, warnings=(note, *draft.warnings))
    return draft, choice
