"""Load an agency directory data file (the only file I/O around directories)."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.settings import DIRECTORIES_DIR
from plan.agencies import Directory, DirectoryError


def available() -> list[str]:
    """Names of the directories bundled with nhacviec."""
    return sorted(path.stem for path in DIRECTORIES_DIR.glob("*.yaml"))


def load_directory(path: Path) -> Directory:
    """Read and validate a directory file; errors name the file."""
    if not path.is_file():
        raise DirectoryError(f"không tìm thấy danh mục cơ quan «{path}» "
                             f"(có sẵn: {', '.join(available())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DirectoryError(f"danh mục cơ quan «{path.name}» không đọc được: {exc}") from exc
    if not isinstance(data, dict):
        raise DirectoryError(f"danh mục cơ quan «{path.name}» phải là một bảng YAML")
    try:
        return Directory.from_mapping(data)
    except DirectoryError as exc:
        raise DirectoryError(f"{path.name}: {exc}") from exc
