"""Small text helpers shared by the parsers: diacritic folding, Roman numerals, years."""

from __future__ import annotations

import re
import unicodedata

_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|21\d\d)(?!\d)")
_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and squeeze spaces, for matching."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", bare).strip().lower()


def clean(text: str) -> str:
    """Drop HTML/Markdown emphasis the converters left behind and normalise spaces."""
    text = _TAGS.sub("", text).replace("**", "").replace("\\|", "|").replace("\u2060", "")
    if len(text) > 2 and text[0] == text[-1] and text[0] in "*_" and text[1] != " ":
        text = text[1:-1]
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def is_bold(text: str) -> bool:
    """True when a cell was wrapped in bold markup (section rows are)."""
    stripped = text.strip()
    return stripped.startswith(("<b>", "**")) and stripped.endswith(("</b>", "**"))


def is_emphasis(text: str) -> bool:
    """Bold or italic markup around a whole cell: how sub-group rows are set apart."""
    stripped = text.strip()
    if is_bold(stripped):
        return True
    if stripped.startswith(("<i>", "<em>")) and stripped.endswith(("</i>", "</em>")):
        return True
    return len(stripped) > 2 and stripped[0] == stripped[-1] and stripped[0] in "*_"


def roman_value(token: str) -> int | None:
    """Value of an upper-case Roman numeral up to C, or None when it is not one."""
    if not token or any(ch not in _ROMAN for ch in token):
        return None
    total = 0
    for current, following in zip(token, [*token[1:], ""], strict=True):
        value = _ROMAN[current]
        total += -value if following and _ROMAN[following] > value else value
    return total if 0 < total <= 100 and to_roman(total) == token else None


def to_roman(value: int) -> str:
    """Upper-case Roman numeral for 1..399."""
    parts = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
             (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for number, letters in parts:
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


_HORIZON = re.compile(r"\b(?:den|toi|tam nhin(?: den)?)(?: nam)?\s+((?:19|20|21)\d\d)\b")
_PERIOD = re.compile(r"\b((?:19|20|21)\d\d)\s*[-–]\s*((?:19|20|21)\d\d)\b")


def plan_year_in(title: str) -> int | None:
    """The plan year a title names: a period's first year, else its last year that is no
    horizon ("đến năm 2035"); None when it names none."""
    folded = fold(title)
    period = _PERIOD.search(folded)
    if period:
        return int(period.group(1))
    horizons = {match.group(1) for match in _HORIZON.finditer(folded)}
    years = [y for y in _YEAR.findall(folded) if y not in horizons]
    return int(years[-1]) if years else None


def year_in(text: str) -> int | None:
    """The last four-digit year mentioned in a text (titles end with the plan year)."""
    found = _YEAR.findall(text)
    return int(found[-1]) if found else None
