"""Plan identity (number, date, title, issuer) from the text before the appendix table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from plan.model import PlanMeta
from plan.rows import Row
from plan.text import clean, fold

# A plan's number: "Số: 272/KH-UBND"; the bundled example's "DEMO-272/KH-UBND" too
_CODE = re.compile(r"\b(?:S[ốố]|So|số|so)\s*[:.]?\s*((?:DEMO-)?\d+\s*/\s*[\wĐđ]+"
                   r"(?:\s*[-–]\s*[\wĐđ]+)*)", re.IGNORECASE)
_CODE_ALONE = re.compile(r"^((?:DEMO-)?\d+\s*/\s*[\wĐđ]+(?:\s*[-–]\s*[\wĐđ]+)*)\s*$")
_DATE = re.compile(r"ngay\s+(\d{1,2})(?:\s+thang\s+|\s*/\s*)(\d{1,2})(?:\s+nam\s+|\s*/\s*)(\d{4})")
_ISSUER = re.compile(r"\bcủa\s+(.+?)\)?\s*$")
_TIER = re.compile(r"\b(tinh|thanh pho)\b")
_BODY = re.compile(r"^(so|uy ban nhan dan|ubnd|ban|van phong)\b")
_MINISTRY = re.compile(r"^bo (noi vu|tu phap|tai chinh|cong thuong|xay dung|y te|ngoai giao|"
                       r"quoc phong|cong an|nong nghiep|khoa hoc|giao duc|van hoa|dan toc)")
_DATE_PLACE = re.compile(r"^([a-z][a-z ]{1,30}?), ngay \d")


def read_meta(preamble: Sequence[Row]) -> PlanMeta:
    """Best effort: the first plan number and date, the subtitle after `KẾ HOẠCH`."""
    lines = [clean(" ".join(c for c in row.cells if c.strip())).strip("#*_ ") for row in preamble]
    lines = [line for line in lines if line]
    return PlanMeta(code=_find_code(lines), issued_on=_find_date(lines),
                    title=_find_title(lines), issuer=_find_issuer(lines))


def _find_code(lines: Sequence[str]) -> str | None:
    for index, line in enumerate(lines):
        match = _CODE.search(line)
        if match:
            return re.sub(r"\s+", "", match.group(1))
        if fold(line).strip(" :.") == "so" and index + 1 < len(lines):  # "Số:" / "58/KH-UBND"
            alone = _CODE_ALONE.match(lines[index + 1].strip())
            if alone:
                return re.sub(r"\s+", "", alone.group(1))
    return None


def _find_date(lines: Sequence[str]) -> dt.date | None:
    """The place-and-date line first ("An Giang, ngày 25 tháng 12 năm 2025", joined when it
    wraps after "ngày"), then "Kèm theo Kế hoạch số … ngày …", then a date before the body —
    never a resolution cited in "Căn cứ …"."""
    joined = [f"{line} {lines[index + 1]}" if index + 1 < len(lines)
              and re.search(r"\bngay\s*$", fold(line)) else line
              for index, line in enumerate(lines)]
    folded = [fold(line) for line in joined]
    for text in folded:
        if re.search(r",\s*ngay\s+\d", text):
            found = _date_in(text)
            if found:
                return found
    for text in folded:
        if "kem theo ke hoach" in text:
            found = _date_in(text)
            if found:
                return found
    for text in folded:
        if text.startswith(("can cu", "thuc hien")):
            break
        found = _date_in(text)
        if found:
            return found
    return None


def _date_in(text: str) -> dt.date | None:
    for match in _DATE.finditer(text):
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def _find_title(lines: Sequence[str]) -> str | None:
    for index, line in enumerate(lines[:-1]):
        if fold(line) == "ke hoach":
            subtitle = lines[index + 1]
            if subtitle.isupper():  # kept as written: "KẾ HOẠCH THỰC HIỆN …", never "tHỰC"
                return f"{line.strip()} {subtitle}"
            return f"Kế hoạch {subtitle[:1].lower()}{subtitle[1:]}"
    for index, line in enumerate(lines):
        folded = fold(line)
        if folded == "phu luc" and index + 1 < len(lines):
            return lines[index + 1]  # as written: the province's name keeps its capitals
        if folded.startswith("phu luc ") and len(folded) > 12:
            return re.sub(r"^\S+\s+\S+[\s:.-]*", "", line)
    return None


def _find_issuer(lines: Sequence[str]) -> str | None:
    for line in lines:
        if fold(line).startswith("(kem theo"):
            match = _ISSUER.search(line)
            if match:
                return match.group(1).rstrip(")").strip()
    return _header_issuer(lines[:12])


def _header_issuer(lines: Sequence[str]) -> str | None:
    """`ỦY BAN NHÂN DÂN TỈNH AN GIANG` (on one line or two), `SỞ NỘI VỤ TỈNH X`, `BỘ NỘI VỤ`,
    `CHÍNH PHỦ`; else the place in `An Giang, ngày … tháng … năm …`."""
    folded = [fold(line).strip(" *#_") for line in lines]
    for index, text in enumerate(folded):
        following = folded[index + 1] if index + 1 < len(folded) else ""
        if text in {"uy ban nhan dan", "ubnd"} and _TIER.match(following):
            return f"UBND {_place(lines[index + 1])}"
        tier = _TIER.search(text)
        if _BODY.match(text) and tier:
            head = lines[index].strip(" *#_")
            return f"{_title_body(head[:tier.start()])} {_place(head[tier.start():])}"
        if text in {"chinh phu", "thu tuong chinh phu"} or _MINISTRY.match(text):
            return _title_body(lines[index].strip(" *#_"))
    for line, text in zip(lines, folded, strict=True):
        match = _DATE_PLACE.match(text)
        if match:
            return f"UBND tỉnh {line.strip(' *#_')[:match.end(1)].strip()}"
    return None


def _place(text: str) -> str:
    """`TỈNH AN GIANG` → `tỉnh An Giang`; `THÀNH PHỐ HUẾ` → `thành phố Huế`."""
    words = text.strip(" *#_").split()
    tier = 2 if fold(" ".join(words[:2])) == "thanh pho" else 1
    return " ".join([*(w.lower() for w in words[:tier]), *(w.capitalize() for w in words[tier:])])


def _title_body(text: str) -> str:
    """`SỞ NỘI VỤ` → `Sở Nội vụ`; `ỦY BAN NHÂN DÂN` → `UBND`."""
    if fold(text).strip() in {"uy ban nhan dan", "ubnd"}:
        return "UBND"
    words = text.split()
    return " ".join([words[0].capitalize(), *(w.capitalize() if i == 0 else w.lower()
                                               for i, w in enumerate(words[1:]))])


def issuer_place(issuer: str) -> str | None:
    """`national` for the Government or a ministry, the province's name, or None."""
    text = fold(issuer)
    if text.startswith(("chinh phu", "thu tuong")) or _MINISTRY.match(text):
        return "national"
    match = _TIER.search(text)
    if match is None:
        return None
    words = issuer.split()
    count = len(text[:match.end()].split())
    return " ".join(words[count:]).strip(" .,)") or None
