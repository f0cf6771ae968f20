"""Agency directories: bundled files, the 34 generated provinces, and the choice per plan.

The directory is chosen from the plan itself — its issuer (`ỦY BAN NHÂN DÂN TỈNH …`, a
department of a province, a ministry) and its date (before or after 1 July 2025) — unless
`--directory` or NHACVIEC_AGENCY_DIRECTORY names one; a plan whose issuer does not match
the directory it is read with is warned about in one line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from config import provinces
from config.settings import DIRECTORIES_DIR
from plan.agencies import Directory, DirectoryError
from plan.meta import issuer_place
from plan.model import PlanMeta
from plan.names import match_name
from plan.text import fold

REFORM = dt.date(2025, 7, 1)
GENERIC = "tinh-2025"  # the template with no province: for plans whose issuer is unknown
_NOT_DIRECTORIES = {"template-2025", "provinces-2025", "national-2025"}  # built in code


@dataclass(frozen=True)
class Choice:
    """The directory a plan is read with, why, and what the coordinator should know."""

    directory: Directory
    reason: str
    warning: str | None = None


def available() -> list[str]:
    """Names of every directory nhacviec can load without a file of yours."""
    bundled = [p.stem for p in DIRECTORIES_DIR.glob("*.yaml") if p.stem not in _NOT_DIRECTORIES]
    bundled.append("national-2025")
    generated = [p.directory_name for p in provinces.provinces()]
    return sorted({*bundled, *generated, GENERIC})


def load_directory(path: Path) -> Directory:
    """Read and validate a directory file; errors name the file."""
    if not path.is_file():
        close = closest(path.stem, available())
        hint = f"; có phải: {', '.join(close)}?" if close else ""
        raise DirectoryError(f"không tìm thấy danh mục cơ quan «{path}»{hint} "
                             "(`nhacviec directory list` liệt kê tất cả)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:  # one line, with where the YAML breaks
        mark = getattr(exc, "problem_mark", None)
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DirectoryError(f"danh mục cơ quan «{path.name}» không đọc được: lỗi YAML{where} "
                             f"({problem})") from exc
    except UnicodeDecodeError as exc:
        raise DirectoryError(f"danh mục cơ quan «{path.name}» không phải văn bản UTF-8"
                             ) from exc
    if not isinstance(data, dict):
        raise DirectoryError(f"danh mục cơ quan «{path.name}» phải là một bảng YAML")
    try:
        return Directory.from_mapping(data)
    except DirectoryError as exc:
        raise DirectoryError(f"{path.name}: {exc}") from exc


def closest(text: str, choices: list[str], limit: int = 3) -> list[str]:
    """The choices nearest to a mistyped text: the same matching as agency names."""
    match = match_name(text, [(choice, []) for choice in choices])
    return [match.found] if match.found else list(match.candidates[:limit])


def load_named(name: str) -> Directory:
    """A bundled or generated directory by name, or a YAML file of the coordinator's."""
    path = Path(name)
    if path.suffix in {".yaml", ".yml"}:
        return load_directory(path)
    if name == "national-2025":
        return Directory.from_mapping(provinces.national_data())
    bundled = DIRECTORIES_DIR / f"{name}.yaml"
    if bundled.is_file() and name not in _NOT_DIRECTORIES:
        return load_directory(bundled)
    if name == GENERIC:
        return Directory.from_mapping(_generic_data())
    province = provinces.by_directory_name(name)
    if province is None:
        return load_directory(bundled)  # raises, naming the choices
    return Directory.from_mapping(provinces.directory_data(province))


def _generic_data() -> dict[str, object]:
    data = provinces.directory_data(provinces.Province("", "tỉnh", "tinh", (), ()))
    data["name"], data["province"] = GENERIC, ""
    return data


def choose(meta: PlanMeta, explicit: str | None = None) -> Choice:
    """The directory for this plan: the named one, else the one its issuer and date call for."""
    place = issuer_place(meta.issuer) if meta.issuer else None
    if explicit:
        directory = load_named(explicit)
        return Choice(directory, f"chỉ định: {directory.name}", _mismatch(meta, place, directory))
    if place is None:
        return Choice(load_named(GENERIC), "không rõ cơ quan ban hành: danh mục chung cấp tỉnh",
                      "không xác định được cơ quan ban hành kế hoạch nên đọc với danh mục chung "
                      "cấp tỉnh (không có xã, phường); dùng --directory để chọn danh mục của tỉnh")
    if place == "national":
        return Choice(load_named("national-2025"), f"theo cơ quan ban hành: {meta.issuer}")
    found = provinces.find_province(place)
    if found is None:
        return Choice(load_named(GENERIC), "không rõ tỉnh: danh mục chung cấp tỉnh",
                      f"không nhận ra tỉnh «{place}» của cơ quan ban hành; đọc với danh mục chung")
    province, old = found
    before = meta.issued_on is not None and meta.issued_on < REFORM
    own_era = DIRECTORIES_DIR / f"{_slug(old or province.name)}-2023.yaml"
    if before and own_era.is_file():
        return Choice(load_directory(own_era), f"theo cơ quan ban hành: {meta.issuer}, trước "
                                               "01/7/2025")
    directory = load_named(province.directory_name)
    warning = None
    if before:
        warning = (f"kế hoạch ban hành trước ngày 01/7/2025 nhưng chưa có danh mục của thời kỳ "
                   f"đó; đọc với danh mục {province.title} từ 01/7/2025 (tên sở cũ được nhận "
                   "theo tên gọi khác)")
    return Choice(directory, f"theo cơ quan ban hành: {meta.issuer}", warning)


def _mismatch(meta: PlanMeta, place: str | None, directory: Directory) -> str | None:
    if not place or place == "national" or not directory.province:
        return None
    found = provinces.find_province(place)
    wanted = {fold(found[0].name), fold(found[1] or "")} if found else {fold(place)}
    if fold(directory.province) in wanted:
        return None
    return (f"kế hoạch do {meta.issuer} ban hành nhưng đang đọc với danh mục «{directory.name}» "
            f"({directory.province}): tên cơ quan có thể không khớp")


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")
