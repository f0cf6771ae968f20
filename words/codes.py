"""The short codes printed as `#mã` beside each assignment. Pure.

New codes use an alphabet without look-alikes — no 0/o, no 1/l/i — so a code read off a
phone and typed back is the code that was sent. Codes already sent stay valid: a database
that had assignments before this scheme records the last of those ids (`legacy_max`, in the
`code_scheme` table); ids up to it keep their base-36 code, later ids get a safe code padded
one character longer than any old one, so the two can never be confused.
"""

from __future__ import annotations

from dataclasses import dataclass

SAFE = "23456789abcdefghjkmnpqrstuvwxyz"  # 31 symbols, none that looks like another
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def _encode(value: int, alphabet: str) -> str:
    out, base = "", len(alphabet)
    while True:
        value, digit = divmod(value, base)
        out = alphabet[digit] + out
        if value == 0:
            return out


def _decode(text: str, alphabet: str) -> int | None:
    value, base = 0, len(alphabet)
    for char in text:
        digit = alphabet.find(char)
        if digit < 0:
            return None
        value = value * base + digit
    return value


@dataclass(frozen=True)
class CodeScheme:
    legacy_max: int = 0  # the last id whose code is base 36 (0: every code is safe)

    @property
    def legacy_length(self) -> int:
        return len(_encode(self.legacy_max, BASE36)) if self.legacy_max else 0

    def encode(self, assignment_id: int) -> str:
        if assignment_id <= self.legacy_max:
            return _encode(assignment_id, BASE36)
        return _encode(assignment_id, SAFE).rjust(self.legacy_length + 1, SAFE[0])

    def decode(self, code: str) -> int | None:
        """`#a7` → its id; None for anything that is not a code this scheme hands out."""
        text = code.strip().lstrip("#").lower()
        if not text or len(text) > 8:
            return None
        if len(text) <= self.legacy_length:
            value = _decode(text, BASE36)
            valid = value is not None and 0 < value <= self.legacy_max
        else:
            value = _decode(text, SAFE)
            valid = value is not None and self.legacy_max < value <= MAX_ID
        return value if valid else None


_current = CodeScheme()


def use(scheme: CodeScheme) -> None:
    """The database's scheme, loaded once when the app connects (storage.uow)."""
    global _current
    _current = scheme


def assignment_code(assignment_id: int) -> str:
    return _current.encode(assignment_id)


def code_to_id(code: str) -> int | None:
    return _current.decode(code)
