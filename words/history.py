"""The notes the system writes into an assignment's history (status_reports.note): what a
coordinator decided or the calendar did, as Sở Nội vụ reads it in /chitiet and the workbook."""

from __future__ import annotations

import datetime as dt

CONFIRMED = "Sở Nội vụ xác nhận hoàn thành"
KEPT = "Sở Nội vụ giữ nguyên phân công"
RESUMED = "Tiếp tục thực hiện"
PAUSE_ENDED = "Hết thời gian tạm dừng, tiếp tục thực hiện"


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def returned(reason: str) -> str:
    return f"Sở Nội vụ trả lại: {reason}"


def refused(reason: str) -> str:
    return f"Không thuộc thẩm quyền: {reason}"


def reassigned(old: str, new: str) -> str:
    return f"Sở Nội vụ giao lại từ {old} cho {new}"


def paused(until: dt.date | None, reason: str) -> str:
    return f"Tạm dừng{' đến ' + _d(until) if until else ''}" + (f": {reason}" if reason else "")


def snoozed(until: dt.date) -> str:
    return f"Nhắc lại vào {_d(until)}"


def next_occurrence(closed: dt.date, opened: dt.date, missed: bool) -> str:
    verb = "không có báo cáo hoàn thành" if missed else "đã xong"
    return f"Kỳ hạn {_d(closed)} {verb}; kỳ mới hạn {_d(opened)}"


def extension_decided(approved: bool, proposed: dt.date) -> str:
    return f"{'Đã duyệt' if approved else 'Không duyệt'} gia hạn đến {_d(proposed)}"
