"""Rows → PlanDraft: table, sections, unique refs, deadlines and agencies, with warnings."""

from __future__ import annotations

from collections.abc import Sequence

from plan.agencies import Directory
from plan.deadlines import parse_deadline
from plan.meta import read_meta
from plan.model import DeadlineKind, ParseWarning, PlanDraft, PlanMeta, TaskDraft
from plan.rows import PlanFormatError, Row
from plan.table import FIELD_LABELS, RawSection, RawTable, RawTask, find_header, read_table
from plan.text import roman_value, to_roman


def parse_plan(rows: Sequence[Row], directory: Directory,
               overrides: PlanMeta | None = None) -> PlanDraft:
    """Parse a whole document. Raises PlanFormatError only when there is no usable table."""
    start = find_header(rows)
    if start is None:
        raise PlanFormatError("không tìm thấy bảng phụ lục: cần một dòng tiêu đề có các cột "
                              "Nội dung, Cơ quan chủ trì và Thời gian/Thời hạn")
    meta = _merge_meta(read_meta(rows[:start]), overrides)
    table = read_table(rows, start)
    if not table.tasks:
        raise PlanFormatError(f"bảng phụ lục (dòng {rows[start].line}) không có nhiệm vụ nào")
    warnings = [ParseWarning(line, text) for line, text in table.notes]
    warnings += _name_provisional_sections(table)
    refs, ref_warnings = _assign_refs(table)
    warnings += ref_warnings
    tasks = []
    for raw, ref in zip(table.tasks, refs, strict=True):
        task, task_warnings = _build_task(raw, ref, table.sections[raw.section], meta, directory)
        tasks.append(task)
        warnings += task_warnings
    warnings.sort(key=lambda w: w.line)
    return PlanDraft(meta, tuple(tasks), tuple(warnings))


def _merge_meta(found: PlanMeta, overrides: PlanMeta | None) -> PlanMeta:
    if overrides is None:
        return found
    return PlanMeta(code=overrides.code or found.code,
                    issued_on=overrides.issued_on or found.issued_on,
                    title=overrides.title or found.title,
                    issuer=overrides.issuer or found.issuer)


def _name_provisional_sections(table: RawTable) -> list[ParseWarning]:
    """A restart right before a gap in the headings (III … VI) belongs to the missing V."""
    warnings = []
    used = {s.numeral for s in table.sections if s.after is None}
    for index, section in enumerate(table.sections):
        if section.after is None:
            continue
        before = section.after
        following = next((s for s in table.sections[index + 1:]
                          if s.after is None and s.numeral), None)
        guess = _missing_between(before, following.numeral if following else None)
        first = next(t for t in table.tasks if t.section == index)
        if guess and guess not in used:
            section.numeral = guess
            used.add(guess)
            how = (f"xếp các nhiệm vụ từ dòng này vào mục {guess} (mục liền trước mục "
                   f"{following.numeral if following else ''}, tiêu đề bị thiếu), mã {guess}.<số>")
        else:
            section.numeral = before
            how = f"giữ trong mục {before or '(đầu bảng)'}; mã trùng được thêm hậu tố b, c…"
        previous = [t for t in table.tasks if table.sections[t.section].numeral == before
                    and t.line < first.line]
        cut = f"; nhiệm vụ ở dòng {previous[-1].line} có thể bị cắt cụt" if previous else ""
        warnings.append(ParseWarning(first.line, (
            f"số thứ tự {first.number} bắt đầu lại trong mục {before or '(đầu bảng)'}: "
            f"có thể tài liệu thiếu trang và thiếu tiêu đề mục{cut}; {how}")))
    return warnings


def _missing_between(before: str | None, after: str | None) -> str | None:
    low = roman_value(before) if before else 0
    high = roman_value(after) if after else None
    if low is None or high is None or high - low < 2:
        return None
    return to_roman(high - 1)


def _assign_refs(table: RawTable) -> tuple[list[str], list[ParseWarning]]:
    refs: list[str] = []
    seen: dict[str, int] = {}
    warnings = []
    for task in table.tasks:
        numeral = table.sections[task.section].numeral
        base = f"{numeral}.{task.number}" if numeral else task.number
        ref = base
        suffix = ord("b")
        while ref in seen:
            ref = f"{base}{chr(suffix)}"
            suffix += 1
        if ref != base:
            warnings.append(ParseWarning(task.line, (
                f"mã {base} đã dùng cho nhiệm vụ ở dòng {seen[base]}; "
                f"nhiệm vụ này mang mã {ref}")))
        seen[ref] = task.line
        refs.append(ref)
    return refs, warnings


def _build_task(raw: RawTask, ref: str, section: RawSection, meta: PlanMeta,
                directory: Directory) -> tuple[TaskDraft, list[ParseWarning]]:
    fields = raw.fields
    warnings = [ParseWarning(line, f"nối tiếp nhiệm vụ {ref} (cột "
                             f"{', '.join(FIELD_LABELS[n] for n in names)}) từ trang trước")
                for line, names in raw.continued]
    deadline = parse_deadline(fields["deadline"], meta.year)
    if not fields["deadline"]:
        warnings.append(ParseWarning(raw.line, f"nhiệm vụ {ref} chưa có thời hạn"))
    elif deadline.kind is DeadlineKind.UNRECOGNISED:
        warnings.append(ParseWarning(raw.line, f"không đọc được thời hạn «{deadline.text}» của "
                                               f"nhiệm vụ {ref}; giữ nguyên, chưa có ngày hạn"))
    if not fields["lead"]:
        warnings.append(ParseWarning(raw.line, f"nhiệm vụ {ref} chưa có cơ quan chủ trì"))
    lead = directory.resolve(fields["lead"])
    coordinating = directory.resolve(fields["coordinating"])
    for label, resolution in (("chủ trì", lead), ("phối hợp", coordinating)):
        warnings += [ParseWarning(raw.line, f"nhiệm vụ {ref}, cột {label}: {problem}")
                     for problem in resolution.problems]
    task = TaskDraft(
        ref=ref, section=section.numeral or "", section_title=section.title,
        number=raw.number, content=fields["content"], product=fields["product"],
        lead_text=fields["lead"], coordinating_text=fields["coordinating"],
        deadline=deadline, note=fields["note"], line=raw.line, lead=lead.agencies,
        coordinating=coordinating.agencies)
    return task, warnings
