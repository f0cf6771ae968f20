"""Reminder, escalation, digest and notice texts (Vietnamese, dates dd/mm/yyyy). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from tracking.model import TaskProgress
from tracking.status import DUE_SOON_WORKING_DAYS
from words.codes import assignment_code
from words.texts import ROLE_LABELS, STATUS_LABELS, date_vn, days_phrase, shorten, usage

__all__ = ["Digest", "Line", "assignment_code", "compose", "render"]


class Line(Protocol):
    """What rendering needs from one reminder item (storage's ItemView has it)."""

    @property
    def stage(self) -> str: ...
    @property
    def assignment_id(self) -> int | None: ...
    @property
    def ref(self) -> str | None: ...
    @property
    def content(self) -> str | None: ...
    @property
    def product(self) -> str | None: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def due(self) -> dt.date | None: ...
    @property
    def late(self) -> bool: ...
    @property
    def note(self) -> str | None: ...
    @property
    def task_id(self) -> int | None: ...


@dataclass(frozen=True)
class Digest:
    """The coordinators' weekly overview."""

    overdue_by_agency: Sequence[tuple[str, int]]
    due_soon: int
    undated: Sequence[str]
    without_contact: Sequence[str]
    awaiting: int = 0  # completions waiting for the coordinators to confirm
    overdue_agencies: int = 0  # how many agencies have something overdue (all of them)
    overdue_by_task: Sequence[tuple[str, str, int]] = ()  # ref, content, agencies overdue
    without_contact_total: int = 0
    soon_days: int = DUE_SOON_WORKING_DAYS  # the "sắp đến hạn" threshold it was counted with


def timing(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "chưa có ngày cố định"
    return f"hạn {date_vn(due)}, {days_phrase(due, today, loud=True)}"


NOTICE_STAGES = frozenset({"notice", "extension", "confirm", "refusal", "nudge"})
_HEADINGS = {"before": "Nhắc trước hạn", "due": "Đến hạn", "overdue": "Quá hạn",
             "checkin": "Cập nhật tiến độ hằng tháng"}


def channel_missing(channel: str) -> str:
    return f"kênh {channel} chưa được cấu hình"


def undeliverable(who: str, error: str, contact_gone: bool) -> str:
    """What the coordinators are told when a message cannot be delivered."""
    if contact_gone:
        return (f"Không gửi được nhắc việc cho {who}: {error}. Đầu mối đã bị đánh dấu "
                "không liên lạc được; cần mời đầu mối khác hoặc liên hệ trực tiếp.")
    return f"Không gửi được nhắc việc cho {who}: {error}."


def compose(lines: Sequence[Line], today: dt.date, digest: Digest | None,
            text_protocol: bool, progress: Mapping[int, TaskProgress] | None = None) -> str:
    """The message as sent: `render`, plus the text protocol's help where the channel has
    no buttons and the message asks for an answer."""
    text = render(lines, today, digest, progress)
    asks = [line for line in lines if line.stage in _HEADINGS or line.stage == "nudge"]
    if text_protocol and asks:
        own = next((line for line in asks if line.assignment_id), None)
        code = assignment_code(own.assignment_id) if own and own.assignment_id else None
        # the extension example is a day after that assignment's own due date
        text += "\n" + usage(code, max(today, own.due or today) if own else today)
    return text


def render(lines: Sequence[Line], today: dt.date, digest: Digest | None = None,
           progress: Mapping[int, TaskProgress] | None = None) -> str:
    """One message for one recipient and day, listing each item with its own code;
    escalations one line per task (`progress`: its counts), however many agencies lead it."""
    out = [f"Nhắc việc CCHC — {date_vn(today)}"]
    if any(line.late for line in lines):
        out.append("(Nhắc muộn: hệ thống tạm ngừng trong những ngày trước, nay gửi bù.)")
    focal = [line for line in lines if line.stage in _HEADINGS and line.assignment_id]
    for line in lines:
        if line.stage == "checkin" and not line.assignment_id and line.note:
            out.append(f"Cập nhật tiến độ hằng tháng: {line.note} nhiệm vụ chủ trì chưa hoàn "
                       "thành. Gõ /nhiemvu để xem mã từng nhiệm vụ, rồi trả lời theo mã "
                       "(ví dụ: <mã> dang 50%).")
    for number, line in enumerate(focal, 1):
        code = assignment_code(line.assignment_id) if line.assignment_id else "?"
        out.append(f"{number}) #{code} · {line.ref} — {shorten(line.content or '', 110)}")
        out.append(f"   {_HEADINGS[line.stage]}: {timing(line.due, today)}")
        out.append(f"   Sản phẩm: {line.product or '—'} · Vai trò: "
                   f"{ROLE_LABELS.get(line.role or '', '—')} · Tình trạng: "
                   f"{STATUS_LABELS.get(line.status or '', '—')}")
    escalations = [line for line in lines if line.stage == "escalation"]
    if escalations:
        out.append("Quá hạn chưa hoàn thành, cần Sở Nội vụ đôn đốc:")
        out += escalation_lines(escalations, today, progress or {})
    out += [f"⚠ {line.note}" for line in lines if line.stage in NOTICE_STAGES and line.note]
    if digest is not None:
        out += render_digest(digest)
    return "\n".join(out)


def progress_phrase(progress: TaskProgress) -> str:
    """A task led by many agencies, as people read it: "37/139 cơ quan đã hoàn thành, 102
    quá hạn"."""
    return (f"{progress.done}/{progress.led} cơ quan đã hoàn thành, {progress.overdue} quá "
            "hạn")


NAMED_AGENCIES = 3  # a group-led task names this many of its late agencies, then counts


def escalation_lines(lines: Sequence[Line], today: dt.date,
                     progress: Mapping[int, TaskProgress]) -> list[str]:
    """One line per task: a task led by one agency names it; a task led by many names a few
    and counts the rest, with its progress, so 3,321 communes still fit one message."""
    by_task: dict[object, list[Line]] = {}
    for line in lines:
        by_task.setdefault(line.task_id or (line.ref, line.content), []).append(line)
    out = []
    for key, group in by_task.items():
        first = group[0]
        counts = progress.get(key) if isinstance(key, int) else None
        due = min((line.due for line in group if line.due), default=None)
        head = f"{first.ref} {shorten(first.content or '', 80)} ({timing(due, today)})"
        if len(group) == 1 and (counts is None or counts.led <= 1):
            out.append(f"• {first.agency} — {head}")
            continue
        names = [line.agency or "?" for line in group[:NAMED_AGENCIES]]
        rest = len(group) - len(names)
        named = ", ".join(names) + (f" và {rest} cơ quan khác" if rest else "")
        summary = progress_phrase(counts) if counts else f"{len(group)} cơ quan quá hạn"
        out.append(f"• {head}: {summary} — {named}. Chi tiết: /chitiet {first.ref}")
    return out


def render_digest(digest: Digest) -> list[str]:
    """Tasks first (a task led by 102 communes is one line), then the agencies most behind;
    every cut list says how many it leaves out."""
    out = ["Tổng hợp tuần:"]
    if digest.overdue_by_task:
        out.append("• Nhiệm vụ quá hạn chưa hoàn thành:")
        out += [f"  - {ref} {shorten(content, 60)}: {count} cơ quan quá hạn"
                for ref, content, count in digest.overdue_by_task]
        total = max(digest.overdue_agencies, len(digest.overdue_by_agency))
        out.append(f"• Cơ quan có việc quá hạn: {total}; nhiều nhất:")
        out += [f"  - {agency}: {count}" for agency, count in digest.overdue_by_agency]
        if total > len(digest.overdue_by_agency):
            out.append(f"  … và {total - len(digest.overdue_by_agency)} cơ quan khác "
                       "(xem /quahan)")
    elif digest.overdue_by_agency:
        out.append("• Quá hạn chưa hoàn thành theo cơ quan:")
        out += [f"  - {agency}: {count}" for agency, count in digest.overdue_by_agency]
    else:
        out.append("• Không có nhiệm vụ quá hạn.")
    out.append(f"• Sắp đến hạn (trong {digest.soon_days} ngày làm việc): {digest.due_soon}")
    if digest.awaiting:
        out.append(f"• Báo hoàn thành chờ xác nhận: {digest.awaiting} (xem /xacnhan)")
    if digest.undated:
        out.append("• Nhiệm vụ chưa có ngày hạn cố định: " + ", ".join(digest.undated))
    if digest.without_contact:
        total = max(digest.without_contact_total, len(digest.without_contact))
        rest = total - len(digest.without_contact)
        out.append(f"• Cơ quan chủ trì chưa có đầu mối nhận nhắc việc ({total}): "
                   + ", ".join(digest.without_contact)
                   + (f" và {rest} cơ quan khác (mời tất cả: nhacviec invite --all)"
                      if rest else ""))
    return out
