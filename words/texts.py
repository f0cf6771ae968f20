"""Vietnamese wording shown to users, and the small formatters it needs."""

from __future__ import annotations

import datetime as dt

STATUS_LABELS = {
    "chua_thuc_hien": "Chưa thực hiện",
    "dang_thuc_hien": "Đang thực hiện",
    "hoan_thanh": "Đã hoàn thành",
    "vuong_mac": "Gặp vướng mắc",
    "xin_gia_han": "Xin gia hạn",
    "cho_xac_nhan": "Chờ xác nhận hoàn thành",
    "tu_choi": "Đề nghị trả lại (không thuộc thẩm quyền)",
    "tam_dung": "Tạm dừng",
    "khong_ap_dung": "Không áp dụng",
}
# Report categories (tracking.status.Category), in the order reports show them.
CATEGORY_LABELS = {
    "trong_han": "Trong hạn",
    "sap_den_han": "Sắp đến hạn",
    "qua_han": "Quá hạn",
    "khong_co_han": "Không có hạn",
    "tam_dung": "Tạm dừng",
    "cho_xac_nhan": "Chờ xác nhận",
    "hoan_thanh_dung_han": "Hoàn thành đúng hạn",
    "hoan_thanh_qua_han": "Hoàn thành quá hạn",
}
ROLE_LABELS = {"lead": "chủ trì", "coordinating": "phối hợp"}

HELP = """Nhắc việc CCHC — các lệnh:
/nhiemvu — nhiệm vụ chưa hoàn thành của cơ quan (kèm mã #…)
/kehoach — các kế hoạch đang theo dõi
/coquan <tên> — tìm cơ quan theo tên gần đúng
/vangmat <dd/mm/yyyy> [người thay] — vắng mặt đến ngày đó, đồng nghiệp nhận nhắc thay
/huy — hủy liên kết, thôi nhận nhắc việc
/trogiup — xem lại hướng dẫn này"""

HELP_COORDINATOR = """Lệnh cho Sở Nội vụ:
/tonghop — số phân công theo tình trạng, quá hạn, theo mục
/quahan — quá hạn theo nhiệm vụ và cơ quan
/sapden [số ngày] — sắp đến hạn (mặc định 3 ngày làm việc)
/chuabaocao — chưa có báo cáo, cơ quan chưa có đầu mối
/nhiemvu <cơ quan> · /chitiet <mã|số hiệu> — chi tiết và lịch sử
/duyet — đề nghị gia hạn chờ duyệt · /nhac <mã> — nhắc ngay · /moi <cơ quan> — tạo mã mời
/xacnhan — báo hoàn thành chờ xác nhận · /xacnhan <mã> dat | tralai <lý do>
/giaolai <mã> <cơ quan> | giu — xử lý đề nghị trả lại (không thuộc thẩm quyền)
/tamdung <mã|số hiệu> [đến dd/mm/yyyy] [lý do] · /tieptuc <mã|số hiệu>
/xuatbaocao [dd/mm/yyyy] — tệp Excel báo cáo · /bieudo [dd/mm/yyyy] — biểu đồ tiến độ
Nạp kế hoạch: gửi tệp (.docx, .xlsx, .pdf, .csv) cho bot, hoặc /nhapkehoach <đường link tới
tệp>; bot gửi bản xem trước, rồi /luu để lưu, /huy để bỏ"""
TOO_LONG = "Tin nhắn quá dài (tối đa {limit} ký tự); hãy gửi ngắn gọn hơn."
UNSUPPORTED_MESSAGE = "Bot chỉ đọc được tin nhắn chữ và ảnh. Gõ /trogiup để xem hướng dẫn."
NO_FILES_HERE = ("(Kênh này không gửi được tệp. Hãy dùng lệnh trên Telegram, hoặc nhờ quản trị "
                 "chạy: nhacviec report)")

# A plan loaded from the chat (bot.uploading)
DOWNLOAD_TOO_BIG = "tệp lớn hơn {mb} MB"
DOWNLOAD_FAILED = "máy chủ trả lời mã {status}"
DOWNLOAD_BROKEN = "mất kết nối khi tải ({kind})"
ZALO_NO_FILES = "Zalo không cho bot nhận tệp; hãy gửi: /nhapkehoach <đường link tới tệp>"
UPLOAD_FOCAL_REFUSED = ("Chỉ cán bộ Sở Nội vụ mới nạp được kế hoạch. Nếu đây là minh chứng, hãy "
                        "gửi kèm chú thích: <mã> xong <số văn bản>.")
UPLOAD_HOW = ("Gửi tệp kế hoạch (.docx, .xlsx, .pdf, .csv) cho bot, hoặc: /nhapkehoach "
              "<đường link tới tệp> (Zalo không cho bot nhận tệp, hãy gửi đường link).")
UPLOAD_BAD_LINK = "Đường link phải bắt đầu bằng http:// hoặc https://, ví dụ: {example}"
UPLOAD_NOT_FETCHED = "Không tải được tệp «{name}»: {reason}. Không lưu gì; hãy gửi lại."
UPLOAD_UNREADABLE = "Không đọc được tệp «{name}»: {reason}. Không lưu gì."
UPLOAD_BUG = "lỗi của chương trình khi đọc tệp (đã ghi vào nhật ký để cán bộ CNTT xem)"
UPLOAD_PREVIEW_END = ("Bản xem trước tệp số {number}: chưa lưu gì. Bấm «Lưu kế hoạch» (hoặc gõ "
                      "/luu) để lưu; «Hủy» (hoặc /huy) để bỏ tệp này.")
UPLOAD_UNCERTAIN_END = ("Bấm «Lưu, giữ các cặp trên» (hoặc /luu {number} chapnhan) nếu đúng như "
                        "trên (cùng nhiệm vụ, thông tin mới của kế hoạch); nếu không, sửa tệp và "
                        "gửi lại. «Hủy» (/huy) để bỏ.")
UPLOAD_NO_CODE = ("Không thấy số hiệu kế hoạch (ví dụ 272/KH-UBND) trong tệp; không lưu được. "
                  "Hãy sửa tệp, hoặc nhờ quản trị nhập với --code.")
UPLOAD_NONE = "Không có tệp kế hoạch nào đang chờ lưu. " + UPLOAD_HOW
UPLOAD_EXPIRED = "Tệp «{name}» đã quá 24 giờ chưa lưu; hãy gửi lại tệp."
UPLOAD_ALREADY = {"saved": "Tệp «{name}» đã được lưu trước đó: {outcome}",
                  "dropped": "Tệp «{name}» đã bị hủy trước đó; không lưu gì."}
UPLOAD_DROPPED = "Đã hủy tệp «{name}»; không lưu gì."
UPLOAD_SAVED = "Đã lưu kế hoạch {code} từ tệp «{name}». {outcome}\nXem: /kehoach · /tonghop"
SAVE_BUTTON, SAVE_ANYWAY_BUTTON, DROP_BUTTON = "Lưu kế hoạch", "Lưu, giữ các cặp trên", "Hủy"


def usage(code: str | None = None, later: dt.date | None = None) -> str:
    """The text protocol's help. Its examples use one of the reader's own codes, so typed as
    shown they work (none when the reader has no assignment), and an extension date ahead of
    `later` (today), never one already past."""
    def example(said: str) -> str:
        return f" — ví dụ: {code} {said}" if code else ""

    ahead = date_ahead(later) if later else None
    return ("Cách trả lời bằng tin nhắn (mã in trong tin nhắc, dạng #mã):\n"
            f"• <mã> xong [số văn bản]{example('xong 15/KH-STP')}\n"
            f"• <mã> dang 50% [ghi chú] — đang thực hiện\n"
            f"• <mã> vuong <lý do> — gặp vướng mắc\n"
            "• <mã> giahan <ngày> — xin gia hạn"
            + (example(f"giahan {ahead:%d/%m/%Y}") if ahead else "") + "\n"
            "• <mã> nhac lai sau 3 ngay — hoãn lời nhắc (không quá ngày đến hạn)\n"
            "• <mã> khong thuoc tham quyen <lý do> — đề nghị Sở Nội vụ giao lại")


def date_ahead(today: dt.date) -> dt.date:
    """An example deadline people can type: the end of the month after next."""
    day = today + dt.timedelta(days=45)
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)



POISON_SENDER = ("Xin lỗi, bot gặp sự cố khi xử lý tin nhắn vừa rồi của bạn và đã dừng xử lý "
                 "nó; Sở Nội vụ đã được báo. Các tin khác vẫn được xử lý bình thường — nếu cần, "
                 "hãy gửi lại nội dung theo cách khác (ví dụ một tệp nhỏ hơn).")
POISON_COORDINATORS = ("Một tin nhắn ({platform}, chat {chat}) làm bot dừng khi xử lý 3 lần liên "
                       "tiếp nên đã được để riêng (số {number}). Xem: nhacviec inbox; xử lý lại: "
                       "nhacviec inbox retry {number}")
UNKNOWN = "Chưa hiểu tin nhắn này. Gõ /trogiup để xem các lệnh, ví dụ: /nhiemvu Sở Tư pháp"
NO_PLANS = "Chưa có kế hoạch nào. Cán bộ quản trị cần chạy: nhacviec import <tệp kế hoạch>"
ASK_AGENCY = "Hãy ghi tên cơ quan, ví dụ: /nhiemvu Sở Tư pháp"


def state_label(category: str, status: str, due: dt.date | None) -> str:
    """`Trong hạn — Đang thực hiện (hạn 30/06/2023)`: the category, the work's status when
    it says more, and the due date while it is still ahead."""
    label = CATEGORY_LABELS.get(category, category)
    if status in ("dang_thuc_hien", "vuong_mac", "xin_gia_han", "tu_choi"):
        label += f" — {STATUS_LABELS[status]}"
    if due and category in ("trong_han", "sap_den_han", "tam_dung"):
        label += f" (hạn {due:%d/%m/%Y})"
    return label


def parse_date_vn(text: str) -> dt.date | None:
    """A date typed as dd/mm/yyyy (or YYYY-MM-DD); None when it is not a real day."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def date_vn(value: dt.date | None) -> str:
    """dd/mm/yyyy, the only date format users see."""
    return value.strftime("%d/%m/%Y") if value else "chưa có ngày cố định"


def shorten(text: str, limit: int = 90) -> str:
    """Cut long task contents at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def days_phrase(due: dt.date | None, today: dt.date, loud: bool = False,
                legal: dt.date | None = None) -> str:
    """`còn 3 ngày` / `đến hạn hôm nay` / `quá hạn 2 ngày` (`QUÁ HẠN` when `loud`). `legal`:
    the deadline when `due` falls on a day off (the next working day): until it passes the
    work is not late, and the phrase says so instead of "quá hạn"."""
    if due is None:
        return ""
    if legal is not None and due < today <= legal:
        return f"hạn rơi vào ngày nghỉ, tính đến hết {legal:%d/%m/%Y}"
    delta = (due - today).days
    if delta > 0:
        return f"còn {delta} ngày"
    if delta == 0:
        return "đến hạn hôm nay"
    return f"{'QUÁ HẠN' if loud else 'quá hạn'} {-delta} ngày"
