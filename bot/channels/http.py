"""HTTP to the chat platforms on aiohttp, for Zalo and (as its `BaseRequest`) for
python-telegram-bot.

Why not httpx, PTB's default: on the same fake server and loop a request costs a quarter of
httpx's CPU through aiohttp, PTB's `send_message` half (`BENCH_ONLY=http make bench`), and
the reply is the largest part of what an answer costs.
"""

from __future__ import annotations

import os

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.base import Permanent, Transient
from bot.types import FileRef
from words import texts

_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                    "all_proxy")
POOL = 64  # connections per platform: replies go out concurrently, one chat at a time


def new_session(limit: int = POOL) -> aiohttp.ClientSession:
    """A pooled session. It reads HTTP(S)_PROXY, as httpx did, only when one is set: with
    `trust_env` aiohttp also looks up ~/.netrc in a thread for every request."""
    proxied = any(os.environ.get(name) for name in _PROXY_VARIABLES)
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit),
                                 trust_env=proxied, skip_auto_headers=("User-Agent",))


async def fetch_url(file: FileRef, limit: int, seconds: float = 60.0) -> bytes:
    """GET a linked file, reading at most `limit` bytes (refused as soon as it grows past:
    never held whole). Up to 5 redirects, http(s) only (`FileRef.url`)."""
    url = file.url or ""
    too_big = Permanent(texts.DOWNLOAD_TOO_BIG.format(mb=limit // (1024 * 1024)), False)
    try:
        async with new_session(2) as session, session.get(
                url, timeout=aiohttp.ClientTimeout(total=seconds), max_redirects=5) as response:
            if response.status != 200:
                raise Permanent(texts.DOWNLOAD_FAILED.format(status=response.status), False)
            if (response.content_length or 0) > limit:
                raise too_big
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise too_big
            return bytes(data)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise Transient(texts.DOWNLOAD_BROKEN.format(kind=type(exc).__name__)) from exc


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's requests over one aiohttp session. Errors are PTB's own
    (`TimedOut`, `NetworkError`), so `channels.telegram.classify` reads them unchanged."""

    def __init__(self, timeout: float = 10.0, pool: int = POOL) -> None:
        self._timeout, self._pool = timeout, pool
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = new_session(self._pool)  # inside the loop that will use it

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
            self, url: str, method: str, request_data: RequestData | None = None,
            read_timeout: object = BaseRequest.DEFAULT_NONE,
            write_timeout: object = BaseRequest.DEFAULT_NONE,
            connect_timeout: object = BaseRequest.DEFAULT_NONE,
            pool_timeout: object = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._seconds(read_timeout)
        wait = self._seconds(connect_timeout) + self._seconds(pool_timeout)
        limits = aiohttp.ClientTimeout(total=read + wait + self._seconds(write_timeout),
                                       connect=wait, sock_read=read)
        try:
            async with self._session.request(
                    method, url, data=_body(request_data), timeout=limits,
                    headers={"User-Agent": self.USER_AGENT}) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # asyncio's too (the same class since 3.11)
            raise TimedOut from exc
        except aiohttp.ClientError as exc:  # the class name says enough; no URL (token) in it
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc

    def _seconds(self, given: object) -> float:
        return float(given) if isinstance(given, int | float) else self._timeout


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Parameters as a form, like PTB's own request: multipart when a file goes along."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
