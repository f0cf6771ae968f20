"""Vietnamese wording shown to users, and the small formatters it needs."""

from __future__ import annotations

import datetime as dt

STATUS_LABELS = {
    "chua_thuc_hien": "Chưa thực hiện",
    "dang_thuc_hien": "Đang thực hiện",
    "hoan_thanh": "Đã hoàn thành",
    "vuong_mac": "Gặp vướng mắc",
    "xin_gia_han": "Xin gia hạn",
    "khong_ap_dung": "Không áp dụng",
}
ROLE_LABELS = {"lead": "chủ trì", "coordinating": "phối hợp"}

HELP = """Nhắc việc CCHC — các lệnh:
/kehoach — các kế hoạch đang theo dõi
/nhiemvu [tên cơ quan] — nhiệm vụ chưa hoàn thành của cơ quan
/coquan <tên> — tìm cơ quan theo tên gần đúng
/trogiup — xem lại hướng dẫn này
Ví dụ: /nhiemvu Sở Tư pháp"""

UNKNOWN = "Chưa hiểu tin nhắn này. Gõ /trogiup để xem các lệnh, ví dụ: /nhiemvu Sở Tư pháp"
NO_PLANS = "Chưa có kế hoạch nào. Cán bộ quản trị cần chạy: nhacviec import <tệp kế hoạch>"
ASK_AGENCY = "Hãy ghi tên cơ quan, ví dụ: /nhiemvu Sở Tư pháp"


def date_vn(value: dt.date | None) -> str:
    """dd/mm/yyyy, the only date format users see."""
    return value.strftime("%d/%m/%Y") if value else "chưa có ngày cố định"


def shorten(text: str, limit: int = 90) -> str:
    """Cut long task contents at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def days_phrase(due: dt.date | None, today: dt.date, loud: bool = False) -> str:
    """`còn 3 ngày` / `đến hạn hôm nay` / `quá hạn 2 ngày` (`QUÁ HẠN` when `loud`)."""
    if due is None:
        return ""
    delta = (due - today).days
    if delta > 0:
        return f"còn {delta} ngày"
    if delta == 0:
        return "đến hạn hôm nay"
    return f"{'QUÁ HẠN' if loud else 'quá hạn'} {-delta} ngày"
