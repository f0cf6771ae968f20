"""Reminder, escalation, digest and notice texts (Vietnamese, dates dd/mm/yyyy). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

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


@dataclass(frozen=True)
class Digest:
    """The coordinators' weekly overview."""

    overdue_by_agency: Sequence[tuple[str, int]]
    due_soon: int
    undated: Sequence[str]
    without_contact: Sequence[str]
    awaiting: int = 0  # completions waiting for the coordinators to confirm
    soon_days: int = DUE_SOON_WORKING_DAYS  # the "sắp đến hạn" threshold it was counted with


def timing(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "chưa có ngày cố định"
    return f"hạn {date_vn(due)}, {days_phrase(due, today, loud=True)}"


NOTICE_STAGES = frozenset({"notice", "extension", "confirm", "refusal"})
_HEADINGS = {"before": "Sắp đến hạn", "due": "Đến hạn", "overdue": "Quá hạn",
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
            text_protocol: bool) -> str:
    """The message as sent: `render`, plus the text protocol's help where the channel has
    no buttons and the message asks for an answer."""
    text = render(lines, today, digest)
    if text_protocol and any(line.stage in _HEADINGS for line in lines):
        own = next((line.assignment_id for line in lines if line.assignment_id), None)
        text += "\n" + usage(assignment_code(own) if own else None, today)
    return text


def render(lines: Sequence[Line], today: dt.date, digest: Digest | None = None) -> str:
    """One message for one recipient and day, listing each item with its own code."""
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
        out += [f"• {line.agency} — {line.ref} {shorten(line.content or '', 80)} "
                f"({timing(line.due, today)})" for line in escalations]
    out += [f"⚠ {line.note}" for line in lines if line.stage in NOTICE_STAGES and line.note]
    if digest is not None:
        out += render_digest(digest)
    return "\n".join(out)


def render_digest(digest: Digest) -> list[str]:
    out = ["Tổng hợp tuần:"]
    if digest.overdue_by_agency:
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
        out.append("• Cơ quan chủ trì chưa có đầu mối nhận nhắc việc: "
                   + ", ".join(digest.without_contact))
    return out
