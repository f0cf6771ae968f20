"""A plan file on disk → a Document, converting .doc/.xls/.odt/.ods/.rtf on the way."""

from __future__ import annotations

from pathlib import Path

from ingest.office import convert
from plan.readers import read_document
from plan.rows import Document, NeedsConversion, PlanFormatError

MAX_BYTES = 50 * 1024 * 1024  # the biggest real appendix we have seen is a few MB
_KINDS = {".doc", ".xls", ".odt", ".ods", ".rtf"}


def read_file(path: Path) -> Document:
    """Read a plan file; every failure is a PlanFormatError with a Vietnamese message."""
    if not path.exists():
        raise PlanFormatError(f"không tìm thấy tệp «{path}»")
    if not path.is_file():
        raise PlanFormatError(f"«{path}» không phải là một tệp")
    _check_size(path.stat().st_size)  # before reading it into memory
    return read_bytes(path.name, path.read_bytes())


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise PlanFormatError(f"tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB; hãy tách phụ lục "
                              "ra một tệp riêng")


def read_bytes(name: str, data: bytes) -> Document:
    """Like `read_file`, for bytes that arrived some other way (a chat upload)."""
    _check_size(len(data))
    try:
        return read_document(name, data)
    except NeedsConversion as need:
        suffix = need.kind if need.kind in _KINDS else (
            ".xls" if need.target == ".xlsx" else ".doc")
        converted = convert(data, suffix, need.target)
        document = read_document(f"converted{need.target}", converted)
        return Document(document.rows, suffix.lstrip("."))
