"""The neutral shape every reader produces: numbered rows of cells."""

from __future__ import annotations

from dataclasses import dataclass

SPANNED = "\u2060"  # a cell covered by a merged cell above it: "same as the row above"


@dataclass(frozen=True)
class Row:
    """One line of a text file, one CSV record, one spreadsheet or Word table row."""

    line: int
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(cell.strip().strip(SPANNED) for cell in self.cells)


class PlanFormatError(ValueError):
    """The document cannot be read as a plan; the message is for the user, in Vietnamese."""


@dataclass(frozen=True)
class Document:
    """Rows a reader produced, and the layout it recognised (for messages and the dry run)."""

    rows: list[Row]
    layout: str


class NeedsConversion(PlanFormatError):
    """A legacy or open office format (.doc, .xls, .odt, .ods, .rtf): convert it first.

    `target` is the suffix LibreOffice should produce (".docx" or ".xlsx").
    """

    def __init__(self, kind: str, target: str) -> None:
        super().__init__(f"tệp {kind} cần chuyển sang {target} trước khi đọc")
        self.kind = kind
        self.target = target
