"""Duties written in the body of a plan, outside its appendix table.

"Định kỳ trước ngày 20 hằng tháng, các sở, ban, ngành báo cáo tiến độ về Sở Nội vụ" is a
task as real as any row: a time phrase, a subject that resolves to agencies, and a reporting
verb. They are only suggested (`import --dry-run` lists them, `--with-duties` imports them),
because body text also describes duties that the appendix already carries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plan.agencies import Directory
from plan.deadlines import parse_deadline
from plan.model import AgencyRef, Deadline, DeadlineKind, PlanMeta, TaskDraft
from plan.rows import Row
from plan.text import clean

SECTION = "VB"
SECTION_TITLE = "Nhiệm vụ nêu trong nội dung kế hoạch"
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=\S)")
_VERB = re.compile(r"\s(báo cáo|gửi|tổng hợp|nộp|cập nhật)\b", re.IGNORECASE)
_LEADING = re.compile(r"^(?:thì|đề nghị|yêu cầu|giao|các đơn vị là)\s+", re.IGNORECASE)
_TAIL = re.compile(r"\b(?:trước|chậm nhất|định kỳ|hằng|hàng)\b.*$", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[a-zđ])[.)]\s*")
_TIMED = (DeadlineKind.RECURRING, DeadlineKind.DATE, DeadlineKind.MONTH, DeadlineKind.QUARTER)


def find_duties(rows: Sequence[Row], directory: Directory, meta: PlanMeta) -> list[TaskDraft]:
    """Suggested tasks from one-cell rows (paragraphs) that name a time, agencies and a report."""
    duties: list[TaskDraft] = []
    for line, text in _paragraphs(rows):
        for sentence in _SENTENCE.split(text):
            duty = _duty(sentence, line, directory, meta, len(duties) + 1)
            if duty is not None:
                duties.append(duty)
    return duties


def _paragraphs(rows: Sequence[Row]) -> list[tuple[int, str]]:
    """One-cell rows joined into the sentences a PDF or a web copy wrapped over lines ("…
    các sở, ban," / "ngành báo cáo tiến độ …"): a line not ending a sentence goes on in
    the next line."""
    out: list[tuple[int, str]] = []
    open_line: int | None = None
    for row in rows:
        if len(row.cells) != 1:
            open_line = None
            continue
        text = clean(row.cells[0])
        if open_line is not None and out and row.line == open_line + 1 and text[:1].islower():
            out[-1] = (out[-1][0], f"{out[-1][1]} {text}")
        else:
            out.append((row.line, text))
        open_line = None if text.endswith((".", "!", "?", ":")) else row.line
    return out


def _duty(sentence: str, line: int, directory: Directory, meta: PlanMeta,
          number: int) -> TaskDraft | None:
    verb = _VERB.search(sentence)
    if verb is None:
        return None
    before = sentence[:verb.start()]
    commas = [i for i, ch in enumerate(before) if ch == ","]
    for comma in commas:  # the first split whose left is a time and whose right is agencies
        deadline = parse_deadline(before[:comma], meta.year)
        if deadline.kind not in _TIMED or deadline.period == "continuous":
            continue
        subject = _LEADING.sub("", before[comma + 1:].strip())
        lead = directory.resolve(subject)
        if lead.agencies and all(ref.resolved for ref in lead.agencies):
            break
    else:
        return _trailing_time(sentence, verb, line, directory, meta, number)
    return _draft(sentence, subject, deadline, lead.agencies, line, number)


def _trailing_time(sentence: str, verb: re.Match[str], line: int, directory: Directory,
                   meta: PlanMeta, number: int) -> TaskDraft | None:
    """"Sở Y tế báo cáo kết quả về Sở Nội vụ trước ngày 15/12/2026": the time comes last."""
    tail = _TAIL.search(sentence, verb.end())
    if tail is None:
        return None
    deadline = parse_deadline(tail.group(0), meta.year)
    if deadline.kind not in _TIMED or deadline.period == "continuous":
        return None
    subject = _LEADING.sub("", _NUMBERED.sub("", sentence[:verb.start()]).strip())
    lead = directory.resolve(subject)
    if not lead.agencies or not all(ref.resolved for ref in lead.agencies):
        return None
    return _draft(sentence, subject, deadline, lead.agencies, line, number)


def _draft(sentence: str, subject: str, deadline: Deadline, lead: tuple[AgencyRef, ...],
           line: int, number: int) -> TaskDraft:
    content = sentence.rstrip(" .;")
    return TaskDraft(ref=f"{SECTION}.{number}", section=SECTION, section_title=SECTION_TITLE,
                     number=str(number), content=content[:1].upper() + content[1:],
                     product="Báo cáo", lead_text=subject, coordinating_text="",
                     deadline=deadline, note=f"trích từ dòng {line} của văn bản", line=line,
                     lead=lead)
