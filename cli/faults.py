"""The faults a person can cause or fix around the database — a missing database or role, a
wrong password, a full disk, a read-only file — said as one Vietnamese line with what to do,
instead of a driver's traceback. Read from the exception's text and its causes, so the CLI
needs no database library to recognise them."""

from __future__ import annotations

import errno
import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r'database "([^"]+)" does not exist'),
     "cơ sở dữ liệu «{0}» chưa có trên máy chủ PostgreSQL; tạo bằng: createdb {0} "
     "(với quyền quản trị), hoặc sửa NHACVIEC_DATABASE_URL"),
    (re.compile(r'role "([^"]+)" does not exist'),
     "người dùng «{0}» chưa có trên máy chủ PostgreSQL; tạo bằng: createuser {0} "
     "(với quyền quản trị), hoặc sửa NHACVIEC_DATABASE_URL"),
    (re.compile(r'password authentication failed for user "([^"]+)"'),
     "sai mật khẩu của người dùng «{0}»; sửa NHACVIEC_DATABASE_URL"),
    (re.compile(r"database or disk is full|No space left on device"),
     "ổ đĩa đã đầy: không ghi được gì; giải phóng dung lượng rồi chạy lại"),
    (re.compile(r"readonly database|Read-only file system"),
     "tệp cơ sở dữ liệu chỉ đọc được (thư mục hoặc ổ đĩa không cho ghi); kiểm tra quyền ghi"),
    (re.compile(r"unable to open database file"),
     "không mở được tệp cơ sở dữ liệu; kiểm tra thư mục trong NHACVIEC_DATABASE_URL và "
     "quyền truy cập"),
)
_ERRNO = {errno.ENOSPC: "ổ đĩa đã đầy: không ghi được gì; giải phóng dung lượng rồi chạy lại",
          errno.EROFS: "ổ đĩa chỉ đọc được; kiểm tra nơi lưu dữ liệu",
          errno.EACCES: "không có quyền truy cập {0}; kiểm tra quyền của người chạy chương trình",
          errno.ECONNREFUSED: "không kết nối được máy chủ cơ sở dữ liệu (bị từ chối); máy chủ "
                              "đã chạy chưa, địa chỉ và cổng trong NHACVIEC_DATABASE_URL có "
                              "đúng không?"}


def explain(exc: BaseException) -> str | None:
    """The Vietnamese line for a known fault anywhere in the exception's chain, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current)
        for pattern, message in _PATTERNS:
            found = pattern.search(text)
            if found:
                return message.format(*found.groups())
        if isinstance(current, OSError) and current.errno in _ERRNO:
            where = f"«{current.filename}»" if current.filename else "tệp"
            return _ERRNO[current.errno].format(where)
        current = current.__cause__ or current.__context__
    return None


def platform(exc: BaseException) -> str:
    """What went wrong reaching a chat platform, in a few Vietnamese words — never taken for
    the database's fault ("connection refused" is the platform's here)."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ConnectionRefusedError) or any(mark in text for mark in (
            "Connect call failed", "Cannot connect", "ConnectError", "ConnectorError",
            "All connection attempts failed", "Connection refused")):
        return "không kết nối được máy chủ của nền tảng (bị từ chối)"
    if isinstance(exc, TimeoutError) or "Timed out" in text or "Timeout" in text:
        return "máy chủ của nền tảng không trả lời kịp"
    if "Expecting value" in text or "JSON" in text:
        return "máy chủ của nền tảng trả lời không phải JSON (có thể đang bảo trì)"
    return f"nền tảng báo lỗi: {exc}"


_YAML = ((re.compile(r"expected ',' or '\]'"), "thiếu dấu phẩy hoặc dấu «]» đóng danh sách"),
         (re.compile(r"expected ',' or '\}'"), "thiếu dấu phẩy hoặc dấu «}» đóng bảng"),
         (re.compile(r"mapping values are not allowed"),
          "dấu hai chấm không đúng chỗ (tên có dấu «:» cần đặt trong ngoặc kép)"),
         (re.compile(r"could not find expected ':'"), "thiếu dấu hai chấm sau tên mục"),
         (re.compile(r"found character '\\t'"), "có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"),
         (re.compile(r"expected <block end>|bad indentation"), "thụt lề không thẳng hàng"),
         (re.compile(r"found unexpected end of stream|while scanning a quoted"),
          "thiếu dấu ngoặc kép đóng"))


def yaml_problem(problem: str | None) -> str:
    """A YAML parser's complaint, said in Vietnamese."""
    for pattern, said in _YAML:
        if pattern.search(problem or ""):
            return said
    return "cú pháp không đúng (xem dấu ngoặc, dấu hai chấm, thụt lề ở dòng này)"
