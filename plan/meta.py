"""Plan identity (number, date, title, issuer) from the text before the appendix table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from plan.model import PlanMeta
from plan.rows import Row
from plan.text import clean, fold

_CODE = re.compile(r"\b(?:S[ốố]|So|số|so)\s*[:.]?\s*(\d+\s*/\s*[\wĐđ]+(?:\s*[-–]\s*[\wĐđ]+)*)",
                   re.IGNORECASE)
_DATE = re.compile(r"ngay\s+(\d{1,2})(?:\s+thang\s+|\s*/\s*)(\d{1,2})(?:\s+nam\s+|\s*/\s*)(\d{4})")
_ISSUER = re.compile(r"\bcủa\s+(.+?)\)?\s*$")


def read_meta(preamble: Sequence[Row]) -> PlanMeta:
    """Best effort: the first plan number and date, the subtitle after `KẾ HOẠCH`."""
    lines = [clean(" ".join(c for c in row.cells if c.strip())).strip("#*_ ") for row in preamble]
    lines = [line for line in lines if line]
    return PlanMeta(code=_find_code(lines), issued_on=_find_date(lines),
                    title=_find_title(lines), issuer=_find_issuer(lines))


def _find_code(lines: Sequence[str]) -> str | None:
    for line in lines:
        match = _CODE.search(line)
        if match:
            return re.sub(r"\s+", "", match.group(1))
    return None


def _find_date(lines: Sequence[str]) -> dt.date | None:
    for line in lines:
        match = _DATE.search(fold(line))
        if match:
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
            return f"Kế hoạch {subtitle[:1].lower()}{subtitle[1:]}"
    for index, line in enumerate(lines):
        folded = fold(line)
        if folded == "phu luc" and index + 1 < len(lines):
            caption = lines[index + 1]
            return caption[:1] + caption[1:].lower()
        if folded.startswith("phu luc ") and len(folded) > 12:
            caption = re.sub(r"^\S+\s+\S+[\s:.-]*", "", line)
            return caption[:1] + caption[1:].lower()
    return None


def _find_issuer(lines: Sequence[str]) -> str | None:
    for line in lines:
        if fold(line).startswith("(kem theo"):
            match = _ISSUER.search(line)
            if match:
                return match.group(1).rstrip(")").strip()
    return None
