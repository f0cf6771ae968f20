"""Rows → PlanDraft: table, sections, unique refs, deadlines and agencies, with warnings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from plan.agencies import Directory
from plan.deadlines import parse_deadline, period_start
from plan.duties import find_duties
from plan.header import (
    FIELD_LABELS,
    best_guess,
    cells_on_lines,
    column_of,
    find_header,
    other_table_header,
)
from plan.meta import read_meta
from plan.model import (
    AgencyRef,
    Deadline,
    DeadlineKind,
    ParseWarning,
    PlanDraft,
    PlanMeta,
    TaskDraft,
)
from plan.raw import RawGroup, RawSection, RawTable, RawTask
from plan.rows import PlanFormatError, Row
from plan.table import read_table
from plan.text import fold, roman_value, to_roman

_CONVERTED = "(chuyển qua LibreOffice)"
LAYOUT_LABELS = {
    "table": "bảng", "tsv": "bảng phân cách bằng phím Tab", "csv": "bảng CSV",
    "pipe": "bảng dạng | ô | ô |", "cells": "bảng chép từ trang web (mỗi ô một dòng)",
    "prose": "văn bản không có bảng", "docx": "văn bản Word", "xlsx": "bảng tính Excel",
    "pdf": "tệp PDF", **{kind: f"tệp .{kind} {_CONVERTED}" for kind in ("doc", "xls", "odt",
                                                                        "ods", "rtf")}}
_MISSING = {"content": "nội dung", "lead": "cơ quan chủ trì", "deadline": "thời hạn"}
_WHAT_WORKS = ("Hãy lưu phụ lục thành .docx, .xlsx hoặc .pdf (có lớp chữ), hoặc chép bảng "
               "dạng | ô | ô |, rồi nhập lại.")
_CHROME = re.compile(r"^(trang chu|dang nhap|dang ky|dang xuat|tai ve|tim kiem|luot xem|"
                     r"ban quyen|chia se|in van ban|van ban lien quan|hoi dap|lien he|©)")
_BULLET = re.compile(r"(?:^|[.;:]\s+|\s)[-–•+]\s+\S")


def parse_plan(rows: Sequence[Row], directory: Directory,
               overrides: PlanMeta | None = None, layout: str = "table") -> PlanDraft:
    """Parse a whole document. Raises PlanFormatError only when there is no usable table."""
    start = find_header(rows)
    if start is None:
        raise PlanFormatError(no_table_message(rows, layout))
    meta = _merge_meta(read_meta(rows[:start]), overrides)
    table = read_table(rows, start)
    if not table.tasks:
        raise PlanFormatError(f"bảng phụ lục (dòng {rows[start].line}) không có nhiệm vụ nào")
    warnings = [ParseWarning(line, text) for line, text in table.notes]
    warnings += [ParseWarning(row.line, "bỏ qua bảng không có cột thời hạn trước phụ lục (bảng "
                              "chỉ tiêu); không có nhiệm vụ nào được lấy từ bảng này")
                 for row in rows[:start] if other_table_header(row)]
    warnings += [ParseWarning(row.line, f"bỏ qua phần của trang web: «{row.cells[0].strip()}»")
                 for row in rows[:start] if len(row.cells) == 1 and _CHROME.match(
                     fold(row.cells[0]))]
    warnings += _name_provisional_sections(table)
    refs, ref_warnings, by_part = _assign_refs(table)
    warnings += ref_warnings
    tasks = []
    for raw, ref in zip(table.tasks, refs, strict=True):
        group = table.groups[raw.group] if raw.group is not None else None
        section = table.sections[raw.section]
        key = ".".join(filter(None, (section.part, section.numeral))) if by_part \
            else section.numeral or ""
        task, task_warnings = _build_task(raw, ref, section, key, group, meta, directory)
        tasks.append(task)
        warnings += task_warnings
    warnings.sort(key=lambda w: w.line)
    body = [row for row in rows if len(row.cells) == 1]
    duties = find_duties(body, directory, meta)
    return PlanDraft(meta, tuple(tasks), tuple(warnings), layout=layout, duties=tuple(duties))


def plan_meta(rows: Sequence[Row], overrides: PlanMeta | None = None) -> PlanMeta:
    """The plan's identity from the text before its table, before the agencies are read
    (the issuer picks the directory they are read with)."""
    start = find_header(rows)
    return _merge_meta(read_meta(rows[:start if start is not None else 60]), overrides)


def no_table_message(rows: Sequence[Row], layout: str) -> str:
    """Say what was seen and which column is missing, then what to do."""
    seen = LAYOUT_LABELS.get(layout, layout)
    if cells_on_lines(rows):
        return ("không tìm thấy bảng phụ lục: văn bản có vẻ được chép từ Word hoặc trình xem PDF "
                "— mỗi ô của bảng thành một dòng riêng, không còn dấu phân cách nên không ghép "
                "lại được thành hàng. Hãy lưu phụ lục thành .docx hoặc .pdf rồi nhập tệp đó.")
    guess = best_guess(rows)
    if guess is None:
        return (f"không tìm thấy bảng phụ lục (đã đọc như {seen}): cần một dòng tiêu đề có các "
                f"cột Nội dung, Cơ quan chủ trì và Thời gian/Thời hạn. {_WHAT_WORKS}")
    labels, missing = guess
    shown = ", ".join(labels[:6]) + ("…" if len(labels) > 6 else "")
    lacking = ", ".join(f"cột {_MISSING[name]}" for name in missing) or "một cột bắt buộc"
    return (f"không tìm thấy bảng phụ lục (đã đọc như {seen}): thấy bảng có các cột {shown} "
            f"nhưng thiếu {lacking}. {_WHAT_WORKS}")


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


def _base_ref(table: RawTable, task: RawTask) -> str:
    numeral = table.sections[task.section].numeral
    group = table.groups[task.group] if task.group is not None else None
    if group and group.label and not task.number.startswith(f"{group.local}."):
        return f"{group.label}.{task.number}"
    return f"{numeral}.{task.number}" if numeral else task.number


def _assign_refs(table: RawTable) -> tuple[list[str], list[ParseWarning], bool]:
    """Unique refs; True when numbering restarts in each part, so refs carry the part."""
    bases = [_base_ref(table, task) for task in table.tasks]
    parts = [table.sections[task.section].part for task in table.tasks]
    owners: dict[str, set[str | None]] = {}
    for base, part in zip(bases, parts, strict=True):
        owners.setdefault(base, set()).add(part)
    by_part = any(len(found) > 1 for found in owners.values())
    if by_part:
        bases = [f"{part}.{base}" if part else base for base, part in zip(bases, parts,
                                                                            strict=True)]
    refs: list[str] = []
    seen: dict[str, int] = {}
    warnings = []
    for task, base in zip(table.tasks, bases, strict=True):
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
    return refs, warnings, by_part


_LEAD_SENTENCE = re.compile(r"^(?P<lead>.+?)\s+chu tri\s*[,;]?\s*(?:va\s+)?phoi hop"
                            r"(?:\s+voi)?\s+(?P<with>.+?)\s*[.;]?$")


def split_lead_sentence(lead: str, coordinating: str) -> tuple[str, str]:
    """"Sở Nội vụ chủ trì, phối hợp với các sở, ngành và UBND các xã…": the verb decides —
    the lead is before "chủ trì", the others coordinate (they became 184 leads before)."""
    folded = fold(lead)
    found = _LEAD_SENTENCE.match(folded)
    if found is None or len(folded) != len(lead):
        return lead, coordinating
    helpers = lead[found.start("with"):found.end("with")]
    return (lead[:found.end("lead")].strip(" ,;"),
            f"{coordinating}; {helpers}" if coordinating.strip() else helpers)


def _build_task(raw: RawTask, ref: str, section: RawSection, key: str, group: RawGroup | None,
                meta: PlanMeta, directory: Directory) -> tuple[TaskDraft, list[ParseWarning]]:
    fields = dict(raw.fields)
    fields["lead"], fields["coordinating"] = split_lead_sentence(fields["lead"],
                                                                 fields["coordinating"])
    warnings = [ParseWarning(line, f"nối tiếp nhiệm vụ {ref} (cột "
                             f"{', '.join(FIELD_LABELS[n] for n in names)}) từ trang trước")
                for line, names in raw.continued]
    if raw.inherited:
        warnings.append(ParseWarning(raw.line, f"nhiệm vụ {ref} lấy cột "
                                     f"{', '.join(FIELD_LABELS[n] for n in raw.inherited)} "
                                     "của dòng trên (ô gộp nhiều dòng)"))
    deadline = _with_start(parse_deadline(fields["deadline"], meta.year), raw, meta)
    bullets = len(_BULLET.findall(" " + fields["content"]))
    if bullets >= 2:
        warnings.append(ParseWarning(raw.line, (
            f"ô nội dung của nhiệm vụ {ref} gồm {bullets} việc (gạch đầu dòng); giữ thành một "
            "nhiệm vụ — tách thành nhiều dòng trong phụ lục nếu cần theo dõi riêng")))
    if deadline.follow_up is not None:  # read whole, and said: never a silent part reading
        warnings.append(ParseWarning(raw.line, (
            f"thời hạn «{deadline.text}» của nhiệm vụ {ref} đọc là: hạn "
            f"{deadline.due:%d/%m/%Y}, sau đó {FOLLOW_UPS.get(deadline.follow_up, '?')}"
            if deadline.due else f"thời hạn «{deadline.text}» của nhiệm vụ {ref}: "
            f"{FOLLOW_UPS.get(deadline.follow_up, '?')}")))
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
    if fields["lead"] and not lead.agencies:
        warnings.append(ParseWarning(raw.line, (
            f"nhiệm vụ {ref}: cột chủ trì «{fields['lead']}» không chỉ ra cơ quan cụ thể nào; "
            "nhiệm vụ được liệt kê cho Sở Nội vụ là «chưa xác định đơn vị chủ trì»")))
    leads, helpers, hubs = split_hubs(lead.agencies, coordinating.agencies)
    if hubs:
        warnings.append(ParseWarning(raw.line, (
            f"nhiệm vụ {ref}: {', '.join(hubs)} vừa thuộc nhóm chủ trì vừa được ghi ở cột phối "
            "hợp — là đầu mối tổng hợp (phối hợp), không tự nhắc chính mình báo cáo")))
    task = TaskDraft(
        ref=ref, section=key, section_title=section.title,
        number=raw.number, content=fields["content"], product=fields["product"],
        lead_text=fields["lead"], coordinating_text=fields["coordinating"],
        deadline=deadline, note=fields["note"], line=raw.line, lead=leads,
        coordinating=helpers, part=section.part,
        subsection=_subsection(group), extra=tuple(raw.extra.items()),
        open_groups=lead.open_phrases + coordinating.open_phrases)
    return task, warnings


FOLLOW_UPS = {"yearly": "rà soát, thực hiện hằng năm", "continuous": "duy trì thường xuyên",
              "monthly": "hằng tháng", "quarterly": "hằng quý", "half_yearly": "6 tháng một lần",
              "twice_yearly": "hai lần mỗi năm", "as_needed": "cập nhật, điều chỉnh khi cần",
              "event": "khi có phát sinh / hướng dẫn"}


def split_hubs(lead: tuple[AgencyRef, ...], coordinating: tuple[AgencyRef, ...]
               ) -> tuple[tuple[AgencyRef, ...], tuple[AgencyRef, ...], list[str]]:
    """(leads, coordinating, hubs). A member of a lead *group* that the coordinating cell
    names ("Các sở, ban, ngành tỉnh" / "Sở Nội vụ") is the hub that compiles the others'
    reports: it keeps only its coordinating role, so it is never reminded or escalated to
    report to itself. An agency named directly in both cells stays a lead."""
    via_group = {a.name for a in lead if a.via_group}
    direct = {a.name for a in lead if not a.via_group}
    hubs = [a.name for a in coordinating if a.name in via_group and a.name not in direct]
    leads = tuple(a for a in lead if a.name not in hubs)
    kept = {a.name for a in leads}
    return leads, tuple(a for a in coordinating if a.name not in kept), hubs


def _subsection(group: RawGroup | None) -> str | None:
    if group is None:
        return None
    return f"{group.label} {group.title}" if group.label else group.title


def _with_start(deadline: Deadline, raw: RawTask, meta: PlanMeta) -> Deadline:
    """A `Bắt đầu` column gives the start of work when the deadline cell has none."""
    if deadline.start is not None:
        return deadline
    for label, value in raw.extra.items():
        if column_of(label) == "start":
            start = period_start(parse_deadline(value, meta.year))
            if start is not None and (deadline.due is None or start <= deadline.due):
                return dataclasses.replace(deadline, start=start)
    return deadline
