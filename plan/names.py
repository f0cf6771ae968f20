"""Finding an agency from what a person typed: `tư pháp`, `STP`, `so kh&cn`, `Sở Tư phap`.

One rule everywhere (import, `invite`, `/coquan`, `/nhiemvu <cơ quan>`, `run --as`): an exact
name or alias (case, diacritics, spaces and `&`/`-`/`.` aside) wins; else a single name that
contains the words typed; else the nearest names (rapidfuzz), offered as "Có phải …?".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from plan.text import fold

_NOISE = re.compile(r"[\s&.\-–,;:()]+")


@dataclass(frozen=True)
class NameMatch:
    """The agency meant, if it is certain, and the names to offer otherwise."""

    found: str | None
    candidates: tuple[str, ...] = ()

    def question(self) -> str:
        """`Có phải «Sở Tư pháp»?` — empty when there is nothing to offer."""
        if not self.candidates:
            return ""
        return "Có phải " + ", ".join(f"«{name}»" for name in self.candidates[:5]) + "?"


def compact(text: str) -> str:
    return _NOISE.sub("", fold(text))


def match_name(query: str, entries: Sequence[tuple[str, Sequence[str]]]) -> NameMatch:
    """`entries` are (canonical name, aliases)."""
    key = compact(query)
    if not key:
        return NameMatch(None)
    for name, aliases in entries:
        if key in {compact(name), *(compact(alias) for alias in aliases)}:
            return NameMatch(name)
    words = set(fold(query).split())
    containing = [name for name, aliases in entries
                  if words <= set(fold(" ".join([name, *aliases])).split())]
    if len(containing) == 1:
        return NameMatch(containing[0])
    if containing:
        return NameMatch(None, tuple(containing[:10]))
    from rapidfuzz import fuzz, process

    found = process.extract(fold(query), {name: fold(name) for name, _ in entries},
                            scorer=fuzz.ratio, limit=5, score_cutoff=60)
    best = found[0][1] if found else 0
    return NameMatch(None, tuple(key for _, score, key in found if score >= best - 8))
