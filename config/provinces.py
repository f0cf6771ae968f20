"""Directories of the 34 provinces since 1 July 2025, built from data, not written by hand.

The provincial bodies come from `agencies/template-2025.yaml`; the communes, wards and
special zones of each province from the vietnam-provinces package (its 2025 data: 34
provinces, 3,321 xã/phường/đặc khu); the provinces merged into each from
`agencies/provinces-2025.yaml`. `nhacviec directory init` writes one out for editing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml

from config.settings import DIRECTORIES_DIR
from plan.text import fold

ERA = "2025"
TEMPLATE = DIRECTORIES_DIR / "template-2025.yaml"
MERGERS = DIRECTORIES_DIR / "provinces-2025.yaml"
NATIONAL = DIRECTORIES_DIR / "national-2025.yaml"


@dataclass(frozen=True)
class Province:
    """One of the 34 provinces: its short name, tier word, slug and communes."""

    name: str  # "An Giang", "Hồ Chí Minh"
    cap: str  # "tỉnh" or "thành phố"
    slug: str  # "an-giang"
    merged: tuple[str, ...]  # provinces merged into it on 1/7/2025
    communes: tuple[str, ...]  # "Xã Mỹ Hòa Hưng", "Phường Long Xuyên", "Đặc khu Phú Quốc"

    @property
    def directory_name(self) -> str:
        return f"{self.slug}-{ERA}"

    @property
    def title(self) -> str:
        """How a plan names the province: "tỉnh An Giang", "thành phố Huế"."""
        return f"{self.cap} {self.name}"


@functools.cache
def provinces() -> tuple[Province, ...]:
    """The 34 provinces, in the package's order (by code)."""
    from vietnam_provinces import Province as Source
    from vietnam_provinces import VietNamDivisionType, Ward

    mergers = yaml.safe_load(MERGERS.read_text(encoding="utf-8")) or {}
    communes: dict[int, list[str]] = {}
    for ward in Ward.iter_all():
        communes.setdefault(int(ward.province_code), []).append(ward.name)
    out = []
    for source in Source.iter_all():
        city = source.division_type is VietNamDivisionType.THANH_PHO_TRUNG_UONG
        name = source.name.removeprefix("Thành phố ").strip()
        out.append(Province(name, "thành phố" if city else "tỉnh",
                            source.codename.replace("_", "-"), tuple(mergers.get(name) or ()),
                            tuple(communes.get(int(source.code), []))))
    return tuple(out)


def find_province(text: str) -> tuple[Province, str | None] | None:
    """The province a name refers to, and the old province's name when it was merged."""
    wanted = fold(text).strip(" .")
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp ", "tp."):
        wanted = wanted.removeprefix(prefix).strip()
    for province in provinces():
        if fold(province.name) == wanted:
            return province, None
        for old in province.merged:
            if fold(old).replace("–", "-") == wanted.replace("–", "-"):
                return province, old
    return None


def by_directory_name(name: str) -> Province | None:
    return next((p for p in provinces() if p.directory_name == name), None)


def directory_data(province: Province) -> dict[str, Any]:
    """The template filled in for one province, its communes listed and grouped."""
    text = TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("{cap}", province.cap).replace("{ten}", province.name)
    data: dict[str, Any] = yaml.safe_load(text)
    commune_names = [_commune(name) for name in province.communes]
    data["name"] = province.directory_name
    data["province"] = province.name
    data["agencies"] += [{"name": name, "kind": "commune", "aliases": [original]}
                         for name, original in zip(commune_names, province.communes, strict=True)]
    for group in data["groups"]:
        if group["members"] == ["{communes}"]:
            group["members"] = commune_names
    short_forms = [province.title, *(f"tỉnh {old}" for old in province.merged)]
    if province.cap == "thành phố":
        short_forms += [f"TP {province.name}", f"TP. {province.name}"]
    data["abbreviations"][province.cap] = short_forms
    return data


def _commune(name: str) -> str:
    """`Xã Mỹ Hòa Hưng` → `UBND xã Mỹ Hòa Hưng` (the body a task goes to)."""
    kind, _, rest = name.partition(" ")
    if kind == "Đặc":
        kind, _, rest = name.partition(" khu ")
        return f"UBND đặc khu {rest}"
    return f"UBND {kind.lower()} {rest}"


def national_data() -> dict[str, Any]:
    """Ministries and ministry-level bodies, and the UBND of every province."""
    data: dict[str, Any] = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))
    ubnd = [f"UBND {p.title}" for p in provinces()]
    data["agencies"] += [{"name": name, "kind": "province"} for name in ubnd]
    for group in data["groups"]:
        if group["members"] == ["{provinces}"]:
            group["members"] = ubnd
    return data
