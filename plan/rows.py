"""The neutral shape every reader produces: numbered rows of cells."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of a text file, one CSV record, one spreadsheet or Word table row."""

    line: int
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


class PlanFormatError(ValueError):
    """The document cannot be read as a plan; the message is for the user, in Vietnamese."""
