"""Agency directory (data, per province and era) and dictionary-driven cell splitting.

A cell such as `các Sở: Tư pháp, Thông tin và Truyền thông; Tài chính và Cục Thuế` is
read token by token, always preferring the longest known name, because `và` and `,`
both join agencies and live inside their names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plan.agency_cells import read_cell
from plan.model import AgencyRef
from plan.text import clean, fold

_TOKEN = re.compile(r"[\w&]+(?:[.'][\w&]+)*|[,;:()+\-–]")
_DROPPED = frozenset({"cac", "nhung"})  # plural markers carry no identity


class DirectoryError(ValueError):
    """The directory data file is malformed; the message says where."""


@dataclass(frozen=True)
class Agency:
    """One canonical agency of a directory."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A named set of agencies ("UBND cấp huyện"); members may be groups themselves."""

    name: str
    members: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Token:
    """A folded word for matching, with the original text for messages; `plural` when a
    dropped `các`/`những` stood before it (its text keeps the marker)."""

    key: str
    text: str
    plural: bool = False


@dataclass(frozen=True)
class CellResolution:
    """What one agency cell means: agencies (groups expanded), open phrases, problems."""

    agencies: tuple[AgencyRef, ...]
    open_phrases: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class Directory:
    """An agency directory, read from a data file chosen per plan."""

    name: str
    province: str
    agencies: dict[str, Agency]
    groups: dict[str, Group]
    abbreviations: dict[str, tuple[str, ...]]
    open_phrases: tuple[str, ...] = ()
    _phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(default_factory=dict)
    _abbrev_cache: list[tuple[list[tuple[str, ...]], str]] = field(default_factory=list)
    _resolved: dict[str, CellResolution] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Directory:
        """Build from the parsed YAML; raises DirectoryError naming the bad entry."""
        try:
            agencies = {a["name"]: Agency(a["name"], a.get("kind", "other"),
                                          tuple(a.get("aliases") or ())) for a in data["agencies"]}
            groups = {g["name"]: Group(g["name"], tuple(g.get("members") or ()),
                                       tuple(g.get("aliases") or ()))
                      for g in data.get("groups") or ()}
            abbreviations = {short: tuple(longs) for short, longs in
                             (data.get("abbreviations") or {}).items()}
            directory = cls(str(data["name"]), str(data.get("province", "")), agencies,
                            groups, abbreviations, tuple(data.get("open_phrases") or ()))
        except (KeyError, TypeError, AttributeError) as exc:
            raise DirectoryError(f"danh mục cơ quan thiếu hoặc sai trường: {exc}") from exc
        directory._check_members()
        directory._index()
        return directory

    def _check_members(self) -> None:
        for group in self.groups.values():
            for member in group.members:
                if member not in self.agencies and member not in self.groups:
                    raise DirectoryError(
                        f"nhóm '{group.name}' có thành viên '{member}' không có trong danh mục")

    def _index(self) -> None:
        entries: list[tuple[str, str, str]] = []
        for agency in self.agencies.values():
            entries += [(text, agency.name, "agency") for text in (agency.name, *agency.aliases)]
        for group in self.groups.values():
            entries += [(text, group.name, "group") for text in (group.name, *group.aliases)]
        entries += [(text, text, "open") for text in self.open_phrases]
        for text, target, kind in entries:
            keys = tuple(t.key for t in self.tokenize(text))
            if keys:
                self._phrases.setdefault(keys[0], []).append((keys, target, kind))
        for candidates in self._phrases.values():
            candidates.sort(key=lambda item: -len(item[0]))

    def tokenize(self, text: str) -> list[Token]:
        """Fold a cell into tokens, with abbreviations and the province name normalised."""
        tokens = _raw_tokens(text)
        for variants, short_key in self._abbreviation_keys():
            for variant in variants:
                tokens = _replace(tokens, variant, short_key)
        out: list[Token] = []
        marker: Token | None = None
        for token in tokens:
            if token.key in _DROPPED:
                marker = token
                continue
            if marker is not None:
                token = Token(token.key, f"{marker.text} {token.text}", plural=True)
                marker = None
            out.append(token)
        return out

    def _abbreviation_keys(self) -> list[tuple[list[tuple[str, ...]], str]]:
        if not self._abbrev_cache:
            for short, longs in self.abbreviations.items():
                short_tokens = tuple(t.key for t in _raw_tokens(short))
                short_key = "".join(short_tokens)
                variants = [tuple(t.key for t in _raw_tokens(long)) for long in longs]
                if short_tokens != (short_key,):
                    variants.append(short_tokens)
                self._abbrev_cache.append((variants, short_key))
        return self._abbrev_cache

    def members_of(self, name: str, _seen: frozenset[str] = frozenset()) -> list[str]:
        """Agencies of a group, nested groups expanded, in file order without repeats.

        A group with no members stands for itself, so no assignment is ever lost.
        """
        out: list[str] = []
        for member in self.groups[name].members:
            if member in self.groups and member not in _seen:
                out += self.members_of(member, _seen | {name})
            elif member in self.agencies:
                out.append(member)
        return list(dict.fromkeys(out)) or [name]

    def resolve(self, cell: str) -> CellResolution:
        """Split an agency cell into canonical agencies, expanding groups."""
        cached = self._resolved.get(cell)
        if cached is None:
            cached = self._resolved[cell] = read_cell(self, self.tokenize(cell), cell)
        return cached

    def match_name(self, text: str) -> str | None:
        """Canonical agency or group name for a whole text, or None."""
        keys = tuple(t.key for t in self.tokenize(text))
        for candidate, target, kind in self._phrases.get(keys[0] if keys else "", []):
            if candidate == keys and kind != "open":
                return target
        return None

    def longest_at(self, tokens: Sequence[Token], start: int) -> tuple[int, str, str] | None:
        """Longest known phrase starting at `start`: (length, target, kind)."""
        for keys, target, kind in self._phrases.get(tokens[start].key, []):
            end = start + len(keys)
            if tuple(t.key for t in tokens[start:end]) == keys:
                return len(keys), target, kind
        return None


def _raw_tokens(text: str) -> list[Token]:
    return _join_ampersands([Token(fold(m.group()), m.group())
                             for m in _TOKEN.finditer(clean(text))])


def _join_ampersands(tokens: list[Token]) -> list[Token]:
    """`KH & ĐT` and `KH&ĐT` become one token."""
    out: list[Token] = []
    for token in tokens:
        if out and (token.key.startswith("&") or out[-1].key.endswith("&")):
            last = out.pop()
            out.append(Token(last.key + token.key, f"{last.text} {token.text}"))
        elif token.key == "&" and out:
            last = out.pop()
            out.append(Token(last.key + "&", last.text + " &"))
        else:
            out.append(token)
    return out


def _replace(tokens: list[Token], long_keys: tuple[str, ...], short_key: str) -> list[Token]:
    if not long_keys:
        return tokens
    out: list[Token] = []
    i = 0
    size = len(long_keys)
    while i < len(tokens):
        if tuple(t.key for t in tokens[i:i + size]) == long_keys:
            out.append(Token(short_key, " ".join(t.text for t in tokens[i:i + size])))
            i += size
        else:
            out.append(tokens[i])
            i += 1
    return out


def names(refs: Iterable[AgencyRef]) -> list[str]:
    """Canonical names of resolved references, in order."""
    return [ref.name for ref in refs]
