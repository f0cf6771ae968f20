"""What a secret looks like, wherever it may appear: log lines, stored update payloads,
evidence rows. One-time invite codes travel as "/start <code>" (any case) and "?start=<code>";
a bot token sits in Bot API URLs. Pure: cli.logs masks log records with it, storage masks
what it keeps."""

from __future__ import annotations

import re

INVITE = re.compile(r"(/start(?:@\w+)?\s+|[?&]start=)[^\s'\"&,)}\]\\]+", re.IGNORECASE)
# a code on its own (the /moi reply "Mã mời cho Sở Tư pháp: k7m2…"): 15 characters of the
# invite alphabets, old (a–z, 2–7) and new (no look-alikes), between non-word characters
CODE = re.compile(r"(?<![A-Za-z0-9_])(?=[A-Za-z2-9]{15}(?![A-Za-z0-9_]))"
                  r"(?=[^\s]*\d)[A-Za-z2-9]{15}")
TOKEN = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}")  # "…/bot123:AA…" has no \b
HEADER = re.compile(r"(X-Telegram-Bot-Api-Secret-Token['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+",
                    re.IGNORECASE)


# the /moi reply: "Mã mời cho Sở Tư pháp: <code> (dùng một lần …)"
REPLY = re.compile(r"(M[ãa] m[ờo]i cho [^:\n]{1,300}:\s*)[A-Za-z2-9]{15}\b", re.IGNORECASE)


def mask_codes(text: str) -> str:
    """Invite codes masked (kept: the message around them)."""
    return CODE.sub("***", REPLY.sub(r"\1***", INVITE.sub(r"\1***", text)))


def has_token(text: str) -> bool:
    return TOKEN.search(text) is not None
