"""The grammar of Vietnamese agency lists, with the directory as its vocabulary.

A cell is read item by item. An item is, in this order of preference:
1. a name the directory knows (longest match: `và` and `,` live inside names);
2. a generic group phrase (`Các sở, ban, ngành`, `các cơ quan, đơn vị liên quan`,
   `Các nhà cung cấp dịch vụ viễn thông`): one unit, never split, an *open group* unless
   the directory knows it;
3. a name that starts at a head word (`Sở`, `UBND`, `Trung tâm`, `Bộ`, `Công ty`…) and runs
   to the next separator that starts another item: kept whole — *external* when the head
   names a body outside the province (a ministry, a central agency, an enterprise), else
   *unresolved* and warned;
4. the rest of an elliptical list (`các Sở: Tư pháp, Tài chính`, `Sở Nội vụ, Tư pháp`).
Commas, `-` and `và`/`cùng`/`với` separate items only when another item starts after them;
`;` always does. Separators are matched on the text as written, so `cung` (in `nhà cung
cấp`) is never `cùng`. Every word of the cell ends up in some item or qualifier
(`tỉnh`, `liên quan`, `trên địa bàn tỉnh`); the property test in tests/test_agency_cells.py
checks that nothing is dropped and no fragment becomes an agency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plan.model import AgencyRef
from plan.text import fold

if TYPE_CHECKING:
    from plan.agencies import CellResolution, Directory, Token

_STRONG = frozenset({";"})
_WEAK = frozenset({",", ":", "(", ")", "+", "-", "–", "/", "&"})
_JOINERS = frozenset({"và", "cùng", "với", "hoặc"})
_HEADS = frozenset({"so", "bo", "ubnd", "ban", "cuc", "bao", "dai", "truong", "vien", "hoi",
                    "doan", "phong", "vp", "thue", "hdnd", "bchqs", "ttpvhcc", "ttxvn", "vtv",
                    "vov", "viettel", "vnpt", "mobifone", "evn", "nhnn"})
_HEAD_PAIRS = frozenset({("uy", "ban"), ("van", "phong"), ("thanh", "tra"), ("cong", "an"),
                         ("chi", "cuc"), ("chi", "nhanh"), ("kho", "bac"), ("trung", "tam"),
                         ("lien", "doan"), ("tinh", "doan"), ("tinh", "uy"), ("thanh", "uy"),
                         ("mat", "tran"), ("ngan", "hang"), ("toa", "an"), ("hoc", "vien"),
                         ("tong", "cuc"), ("tong", "cong"), ("tap", "doan"), ("dang", "uy"),
                         ("chinh", "phu"), ("thu", "tuong"), ("kiem", "toan"), ("buu", "dien"),
                         ("bao", "hiem"), ("hoi", "dong"), ("cong", "ty"), ("thanh", "doan"),
                         ("quoc", "hoi"), ("bo", "chi"), ("ban", "quan"), ("ban", "chi")})
_EXTERNAL = frozenset({"bo", "cuc", "tong", "ngan", "tap", "cong ty", "chinh", "thu", "kiem",
                       "toa", "buu", "ttxvn", "vtv", "vov", "viettel", "vnpt", "mobifone",
                       "evn", "nhnn", "quoc"})
_QUALIFIERS = (("co", "lien", "quan"), ("lien", "quan"), ("tren", "dia", "ban", "tinh"),
               ("tren", "dia", "ban"), ("thuoc", "ubnd", "tinh"), ("cua", "tinh"),
               ("thanh", "pho"), ("tinh",), ("cac", "cap"), ("cap", "tinh"), ("chu", "tri"),
               ("phoi", "hop"), ("thuc", "hien"))
_REGION = re.compile(r"^(?:[ivxlc]{1,6}|\d{1,3})$")  # khu vực XV, khu vực 15
_EXTERNAL_NAMES = (("vp", "chinh", "phu"), ("vp", "quoc", "hoi"), ("vp", "trung", "uong"),
                   ("vp", "chu", "tich"), ("van", "phong", "chinh", "phu"),
                   ("dai", "truyen", "hinh", "viet"), ("dai", "tieng", "noi"),
                   ("thong", "tan", "xa"), ("kho", "bac", "nha", "nuoc", "viet"),
                   ("bao", "hiem", "xa", "hoi", "viet"), ("uy", "ban", "dan", "toc"))


@dataclass
class _Reader:
    directory: Directory
    tokens: Sequence[Token]
    cased: bool  # the cell mixes upper and lower case, so capitals mark names
    accented: bool  # the cell has diacritics, so an unaccented `va` is not `và`
    found: list[AgencyRef] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    head: str | None = None  # the head word an elliptical list goes on with (`so`)

    def run(self) -> None:
        i = 0
        while i < len(self.tokens):
            if self._separator(i):
                i += 1
                continue
            i = self._item(i)

    def _item(self, i: int) -> int:
        if i + 1 < len(self.tokens) and self.tokens[i + 1].key == ":" and \
                self.tokens[i].key in {"so", "ban", "bo"}:
            self.head = self.tokens[i].key  # `các Sở: Tư pháp, …`
            return i + 2
        known = self.directory.longest_at(self.tokens, i)
        if known is not None and known[2] != "open":
            return self._emit_known(i, known)
        if self.tokens[i].plural or (known is not None and known[2] == "open"):
            return self._generic(i)
        if self._is_head(i):
            return self._named(i)
        if self.head:
            elliptical = self._elliptical(i)
            if elliptical is not None:
                return elliptical
        end = self._qualifier_end(i)
        if end > i:
            return end  # `tỉnh`, `liên quan` after an item
        return self._generic(i)

    # -- the kinds of item --------------------------------------------------------------

    def _emit_known(self, i: int, known: tuple[int, str, str]) -> int:
        length, target, kind = known
        self.head = self.tokens[i].key
        after = tuple(t.key for t in self.tokens[i + length:i + length + 3])
        if kind == "group" and (after[:2] == ("lien", "quan") or after == ("co", "lien", "quan")):
            # "các sở, ban, ngành liên quan": only the ones concerned — an open group
            end = self._qualifier_end(i + length)
            self.open.append(self._text(i, end))
            return end
        if kind == "agency":
            qualifier = self._region(i + length)
            if qualifier > i + length:  # "Kho bạc Nhà nước khu vực XV": one body, kept whole
                self.found.append(AgencyRef(f"{target} {self._text(i + length, qualifier)}"))
                return self._qualifier_end(qualifier)
            self.found.append(AgencyRef(target))
        else:
            for name in self.directory.members_of(target):
                self.found.append(AgencyRef(name, via_group=target))
                if name in self.directory.groups:
                    self.problems.append(f"nhóm '{name}' chưa có thành viên trong danh mục "
                                         f"'{self.directory.name}'; giữ nguyên như một đơn vị")
        return self._qualifier_end(i + length)

    def _generic(self, i: int) -> int:
        """`Các sở, ban, ngành tỉnh`: one open group up to where another item starts."""
        end = self._run_end(i, generic=True)
        text = self._text(i, end)
        if text:
            self.open.append(text)
        return end

    def _region(self, i: int) -> int:
        """Where a region or number qualifier after a known name ends (`XV`, `số 2`, `15`)."""
        keys = [t.key for t in self.tokens[i:i + 2]]
        if keys[:1] and _REGION.match(keys[0]) and (self.tokens[i].text.isupper()
                                                   or keys[0].isdigit()):
            return i + 1
        if keys[:1] == ["so"] and len(keys) > 1 and keys[1].isdigit():
            return i + 2
        return i

    def _named(self, i: int) -> int:
        """A name from a head word on: known pieces inside it are taken as they come. A head
        alone ("Học viện", "Trường") or a plural inside ("UBND các tỉnh/ thành phố") names no
        one body: warned and listed, never invented as an agency."""
        end = self._run_end(i, generic=False)
        name = self._text(i, end)
        pair = tuple(t.key for t in self.tokens[i:i + 2])
        head_only = end - i == 1 or (end - i == 2 and pair in _HEAD_PAIRS)
        if head_only or any(t.plural for t in self.tokens[i + 1:end]):
            self.open.append(name)
            self.problems.append(f"«{name}» là tên chung, không chỉ ra một cơ quan cụ thể: chỉ "
                                 "liệt kê, không tạo cơ quan (ghi rõ tên nếu cần nhắc)")
            return end
        self.head = self.tokens[i].key
        keys = tuple(t.key for t in self.tokens[i:i + 5])
        external = (self._head_key(i) in _EXTERNAL and not self._provincial(i)) or any(
            keys[:len(words)] == words for words in _EXTERNAL_NAMES)
        self.found.append(AgencyRef(name, resolved=False,
                                    kind="external" if external else "unresolved"))
        if not external:
            self.problems.append(f"không nhận ra cơ quan '{name}'; giữ lại, chưa gắn danh mục")
        return end

    def _elliptical(self, i: int) -> int | None:
        """`các Sở: Tư pháp, Tài chính` — the list goes on without its head word."""
        from plan.agencies import Token

        candidate = [Token(self.head or "", self.head or ""), *self.tokens[i:]]
        known = self.directory.longest_at(candidate, 0)
        if known is None or known[2] == "open" or known[0] < 2:
            return None
        head = self.head
        self._emit_known(i, (0, known[1], known[2]))
        self.head = head
        return self._qualifier_end(i + known[0] - 1)

    # -- where items start and end ------------------------------------------------------

    def _run_end(self, i: int, generic: bool) -> int:
        j = i + 1
        while j < len(self.tokens):
            if self.tokens[j].key in _STRONG:
                return j
            if self._separator(j) and self._starts_item(j + 1, generic):
                return j
            if not generic and self._is_head(j) and self._known_here(j):
                return j  # names glued without a separator: `Sở Tài chính Sở Xây dựng`
            j += 1
        return j

    def _starts_item(self, j: int, generic: bool) -> bool:
        while j < len(self.tokens) and self._separator(j):
            j += 1
        if j >= len(self.tokens):
            return True
        if self.tokens[j].plural or (self._is_head(j) and (self.cased or not generic)):
            return True
        known = self.directory.longest_at(self.tokens, j)
        return known is not None and (not generic or known[2] != "open")

    def _known_here(self, j: int) -> bool:
        known = self.directory.longest_at(self.tokens, j)
        return known is not None and known[2] != "open"

    def _qualifier_end(self, i: int) -> int:
        """Words that qualify the item before them: `tỉnh`, `liên quan`, the province."""
        for words in _QUALIFIERS:
            end = i + len(words)
            if tuple(t.key for t in self.tokens[i:end]) == words and not any(
                    self._capital(k) and self.cased for k in range(i, end)
                    if self.tokens[k].key != "ubnd"):
                return end
        province = tuple(fold(self.directory.province).split())
        end = i + len(province)
        if province and tuple(t.key for t in self.tokens[i:end]) == province:
            return end
        return i

    def _separator(self, i: int) -> bool:
        token = self.tokens[i]
        if token.key in _STRONG or token.key in _WEAK:
            return True
        word = token.text.lower()
        return word in _JOINERS or (not self.accented and token.key in {"va", "voi", "hoac"})

    def _head_key(self, i: int) -> str:
        pair = tuple(t.key for t in self.tokens[i:i + 2])
        if pair == ("cong", "ty"):
            return "cong ty"
        return self.tokens[i].key

    def _is_head(self, i: int) -> bool:
        if not (self._capital(i) or not self.cased) or self.tokens[i].plural:
            return False
        pair = tuple(t.key for t in self.tokens[i:i + 2])
        return self.tokens[i].key in _HEADS or pair in _HEAD_PAIRS

    def _provincial(self, i: int) -> bool:
        """`Bộ Chỉ huy quân sự tỉnh` starts like a ministry but is a provincial body."""
        return tuple(t.key for t in self.tokens[i:i + 2]) == ("bo", "chi")

    def _capital(self, i: int) -> bool:
        text = self.tokens[i].text
        return bool(text) and text[0].isupper()

    def _text(self, i: int, end: int) -> str:
        text = " ".join(t.text for t in self.tokens[i:end])
        text = re.sub(r"\(\s+", "(", re.sub(r"\s+([,;:)])", r"\1", text))
        return text.strip(" .,;:-–")


def read_cell(directory: Directory, tokens: Sequence[Token], cell: str) -> CellResolution:
    """Items of one agency cell: agencies (groups expanded), open groups, problems."""
    from plan.agencies import CellResolution

    letters = [ch for ch in cell if ch.isalpha()]
    cased = any(ch.isupper() for ch in letters) and any(ch.islower() for ch in letters)
    accented = any(not ch.isascii() for ch in letters)
    reader = _Reader(directory, tokens, cased, accented)
    reader.run()
    unique: dict[str, AgencyRef] = {}
    for ref in reader.found:
        unique.setdefault(ref.name, ref)
    opened = tuple(dict.fromkeys(_capitalise(text) for text in reader.open if text))
    return CellResolution(tuple(unique.values()), opened, tuple(reader.problems))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
