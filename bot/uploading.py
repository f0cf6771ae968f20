"""A plan loaded from the chat. A coordinator sends the plan file (Telegram) or a link to it
(`/nhapkehoach <link>`, on any platform: Zalo bots cannot receive files); the bot answers
with what `nhacviec import --dry-run` would say and two buttons. `Lưu kế hoạch` (or `/luu`)
imports it in the answer's one transaction; `Hủy` (or `/huy` while a file waits) drops it.

The download and the parsing happen in `prepare`, before the answer's transaction opens, and
the parsing in a worker thread: a slow platform or a big file never holds the database or
the loop. Nothing is imported before the coordinator decides; focal points are refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.channels.base import ChannelError
from bot.types import Button, Fetch, FileRef, Incoming, Reply
from config.directories import Choice
from ingest.bounded import DEFAULT_LIMITS, Limits
from ingest.plans import read_plan_bytes_limited
from plan.agencies import DirectoryError
from plan.model import PlanDraft
from plan.rows import PlanFormatError
from plan.text import fold
from reports.plan_summary import summary, uncertain_text
from storage import answers, uploads
from storage.answers import Who
from storage.importer import import_plan, meta_changes, planned_matches
from storage.uow import Database, UnitOfWork
from words import texts

log = logging.getLogger("nhacviec.upload")
PLAN_SUFFIXES = (".docx", ".doc", ".xlsx", ".xls", ".pdf", ".csv", ".odt", ".ods", ".rtf")
LIMIT = 20 * 1024 * 1024  # what a Telegram bot may download; under the CLI's MAX_BYTES
_SAVE, _ACCEPT, _DROP = "u:s:", "u:a:", "u:h:"


@dataclass(frozen=True)
class Prepared:
    """What `prepare` found before the transaction: a ready reply, a file to preview, or a
    stored upload to save (with its draft)."""

    reply: Reply | None = None
    name: str = ""
    data: bytes = b""
    draft: PlanDraft | None = None
    choice: Choice | None = None
    upload_id: int | None = None
    accept: bool = False


def is_plan_file(file: FileRef | None) -> bool:
    return (file is not None and file.kind == "document"
            and (file.name or "").lower().endswith(PLAN_SUFFIXES))


def _command(message: Incoming) -> tuple[str, str]:
    text = message.text.strip()
    if not text.startswith("/"):
        return "", ""
    command, _, argument = text.partition(" ")
    return fold(command.split("@", 1)[0]), argument.strip()


class Uploading:
    def __init__(self, db: Database, today: Callable[[], dt.date],
                 now: Callable[[], dt.datetime], directory: str | None = None,
                 fetch_url: Fetch | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        self.db, self.today, self.now, self.directory = db, today, now, directory
        self.limits = limits
        self.fetch_url = fetch_url or _fetch_link

    def wants(self, message: Incoming) -> bool:
        """Cheap and without I/O: whether `prepare` has work to do for this message."""
        if message.button is not None:
            return message.button.startswith((_SAVE, _ACCEPT))
        return is_plan_file(message.file) or _command(message)[0] in {"/nhapkehoach", "/luu"}

    async def prepare(self, message: Incoming, fetch: Fetch | None, admin: bool = False
                      ) -> Prepared | None:
        """Outside the transaction: who is asking, then the download and the parse. None:
        the message is not about a plan file after all (a focal point's evidence). `admin`:
        the sender is in ADMIN_IDS (a coordinator once the router enrols them)."""
        command, argument = _command(message)
        saving = message.button is not None or command == "/luu"
        async with self.db.uow() as uow:  # read only; rolled back
            who = await answers.who(uow.session, message.channel, message.chat_id)
            upload, accept = None, False
            if who is not None and who.coordinator and saving:
                number, accept = _save_target(message, argument)
                upload = await uploads.find(uow.session, who.contact_id, number, self.now())
        if who is None and not admin:
            return None  # the router refuses strangers as for any message
        if who is not None and not who.coordinator:
            if command in {"/nhapkehoach", "/luu"} or message.button is not None:
                log.warning("refused: contact %s tried to load a plan", who.contact_id)
                return Prepared(Reply(texts.UPLOAD_FOCAL_REFUSED))
            return None
        if saving:
            return await self._reread(upload, accept)
        return await self._download(message, command, argument, fetch)

    async def _reread(self, upload: uploads.Upload | None, accept: bool) -> Prepared:
        if upload is None:
            return Prepared(Reply(texts.UPLOAD_NONE))
        if upload.state != "pending":
            return Prepared(Reply(_state_text(upload)))
        parsed = await self._parse(upload.file_name, upload.data)
        if isinstance(parsed, Reply):
            return Prepared(parsed)
        return Prepared(None, upload.file_name, upload.data, *parsed, upload.id, accept)

    async def _download(self, message: Incoming, command: str, argument: str,
                        fetch: Fetch | None) -> Prepared:
        if command == "/nhapkehoach" or not is_plan_file(message.file):
            link = argument.split()[0] if argument else ""
            if not link:
                return Prepared(Reply(texts.UPLOAD_HOW))
            if not link.lower().startswith(("http://", "https://")):
                return Prepared(Reply(texts.UPLOAD_BAD_LINK.format(
                    example="/nhapkehoach https://.../ke-hoach.docx")))
            name = PurePosixPath(link.split("?", 1)[0]).name or "ke-hoach"
            file = FileRef("document", link, name, None, link)
            fetcher: Fetch | None = self.fetch_url
        else:
            assert message.file is not None
            file, fetcher = message.file, fetch
            name = file.name or "ke-hoach"
        if fetcher is None:
            return Prepared(Reply(texts.UPLOAD_HOW))
        try:  # the fetcher refuses what is over LIMIT, before or while reading
            data = await fetcher(file, LIMIT)
        except ChannelError as exc:
            log.info("plan download failed: %s", exc)
            return Prepared(Reply(texts.UPLOAD_NOT_FETCHED.format(name=name, reason=exc)))
        parsed = await self._parse(name, data)
        if isinstance(parsed, Reply):
            return Prepared(parsed)
        return Prepared(None, name, data, *parsed)

    async def _parse(self, name: str, data: bytes) -> tuple[PlanDraft, Choice] | Reply:
        """In a thread, with the CLI's limits (ingest.files): a hostile file is one line."""
        try:
            # a worker process under the time and memory limits; this task only waits
            return await asyncio.to_thread(read_plan_bytes_limited, name, data, self.directory,
                                           self.limits)
        except (PlanFormatError, DirectoryError) as exc:
            return Reply(texts.UPLOAD_UNREADABLE.format(name=name, reason=exc))
        except Exception:  # a reader's bug must not make the update retry forever
            log.exception("reading the uploaded plan %r failed", name)
            return Reply(texts.UPLOAD_UNREADABLE.format(name=name, reason=texts.UPLOAD_BUG))

    async def finish(self, uow: UnitOfWork, who: Who, prepared: Prepared) -> list[Reply]:
        """Inside the answer's transaction: keep the preview, or import the plan."""
        if prepared.reply is not None:
            return [prepared.reply]
        draft, choice = prepared.draft, prepared.choice
        assert draft is not None and choice is not None
        matches = await planned_matches(uow.session, draft, prepared.accept)
        changes = await meta_changes(uow.session, draft)
        if prepared.upload_id is None:
            number = await uploads.stage(uow.session, who.contact_id, prepared.name,
                                         prepared.data, draft.meta.code, self.now())
            uncertain = bool(matches and matches.uncertain) or bool(changes)
            end = (texts.UPLOAD_UNCERTAIN_END.format(number=number) if uncertain
                   else texts.UPLOAD_PREVIEW_END.format(number=number))
            if changes:
                end = _meta_lines(changes) + "\n" + end
            save = (Button(texts.SAVE_ANYWAY_BUTTON, f"{_ACCEPT}{number}") if uncertain
                    else Button(texts.SAVE_BUTTON, f"{_SAVE}{number}"))
            return [Reply(summary(draft, None, choice, matches, not_saved=end),
                          ((save, Button(texts.DROP_BUTTON, f"{_DROP}{number}")),))]
        # Both refusals are checked before anything is written: import_plan writes the plan
        # row before it would raise them, and this transaction also marks the inbox row.
        if not draft.meta.code:
            return [Reply(texts.UPLOAD_NO_CODE)]
        if matches and matches.uncertain and not prepared.accept:
            return [Reply(uncertain_text(matches.uncertain).split("\n", 1)[0] + "\n"
                          + texts.UPLOAD_UNCERTAIN_END.format(number=prepared.upload_id))]
        if changes and not prepared.accept:  # a second confirmation before they change
            return [Reply(_meta_lines(changes) + "\n"
                          + texts.UPLOAD_UNCERTAIN_END.format(number=prepared.upload_id))]
        report = await import_plan(uow.session, draft, choice.directory,
                                   f"chat:{prepared.name}", self.today(), prepared.accept,
                                   update_meta=prepared.accept)
        outcome = next(line for line in summary(draft, report, choice).split("\n")
                       if line.startswith("Đã lưu"))
        if not await uploads.decide(uow.session, prepared.upload_id, True, outcome, self.now()):
            raise uploads.AlreadyDecided(prepared.upload_id)  # rolls the import back
        log.info("plan %s saved from the chat by contact %s", draft.meta.code, who.contact_id)
        return [Reply(texts.UPLOAD_SAVED.format(code=draft.meta.code, name=prepared.name,
                                                outcome=outcome))]

    async def drop(self, uow: UnitOfWork, who: Who, number: int | None) -> Reply | None:
        """`Hủy` or `/huy` while a file waits; None: nothing waits (so `/huy` unlinks)."""
        upload = await uploads.find(uow.session, who.contact_id, number, self.now())
        if upload is None:
            return None if number is None else Reply(texts.UPLOAD_NONE)
        if upload.state != "pending":
            return Reply(_state_text(upload))
        await uploads.decide(uow.session, upload.id, False, "hủy", self.now())
        return Reply(texts.UPLOAD_DROPPED.format(name=upload.file_name))


async def _fetch_link(file: FileRef, limit: int) -> bytes:
    from bot.channels.http import fetch_url  # aiohttp only when a link is sent

    return await fetch_url(file, limit)


def _meta_lines(changes: list[tuple[str, str, str]]) -> str:
    return "Nạp lại sẽ đổi thông tin kế hoạch đã lưu:\n" + "\n".join(
        f"• {label}: «{old}» → «{new}»" for label, old, new in changes)


def drop_number(button: str) -> int | None:
    """The upload a `Hủy` button names, or None when the button is not one."""
    rest = button[len(_DROP):] if button.startswith(_DROP) else ""
    return int(rest) if rest.isascii() and rest.isdigit() else None


def _save_target(message: Incoming, argument: str) -> tuple[int | None, bool]:
    if message.button is not None:
        rest = message.button[4:]
        pressed = int(rest) if rest.isascii() and rest.isdigit() else -1
        return pressed, message.button.startswith(_ACCEPT)
    words = argument.split()
    number = int(words[0]) if words and words[0].isascii() and words[0].isdigit() else None
    return number, any(fold(w) in {"chapnhan", "chap nhan"} for w in words)


def _state_text(upload: uploads.Upload) -> str:
    if upload.state == "expired":
        return texts.UPLOAD_EXPIRED.format(name=upload.file_name)
    return texts.UPLOAD_ALREADY[upload.state].format(name=upload.file_name,
                                                     outcome=upload.outcome or "")
