"""A small HTTP/1.1 client on asyncio streams, for the load generator.

Why not httpx: measured on this 2-core machine against /healthz (bench/README.md),
httpx's asyncio client spends about 2.5 ms of CPU per request with 8 requests in
flight and 11-14 ms with 512 (its pool re-scans every waiting request), while the
server spends about 1 ms. Client and server share the two cores, so with httpx the
benchmark would mostly measure itself. This client spends 0.1-0.4 ms.

It speaks just what the benchmark needs: GET and form POSTs to one server, bodies
by Content-Length or chunked, keep-alive with a shared pool (like a load balancer's
upstream connections), and a deadline per request. Cookies are the caller's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit


class HTTPError(Exception):
    """No answer: refused, reset, closed early, malformed or past the deadline."""


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]  # names in lower case, in the order received
    content: bytes

    def header(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def header_list(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()
        self.used = False

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone: nothing to do
            self.writer.close()


class Client:
    """At most `max_connections` connections to one origin; requests wait for a free one."""

    def __init__(
        self,
        base_url: str,
        *,
        max_connections: int = 100,
        timeout: float = 30.0,
        idle_seconds: float = 20.0,
        default_headers: dict[str, str] | None = None,
    ):
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise ValueError("only http:// (the benchmark talks to 127.0.0.1)")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.host_header = parts.netloc
        self.timeout = timeout
        # Kept well below the server's keep-alive timeout, so a connection is not
        # reused just as the server closes it.
        self.idle_seconds = idle_seconds
        self.default_headers = default_headers or {}
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self.connections_opened = 0

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        body = urlencode(data).encode() if data is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}"]
        for name, value in {**self.default_headers, **(headers or {})}.items():
            lines.append(f"{name}: {value}")
        if data is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if data is not None or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            async with asyncio.timeout(timeout or self.timeout), self._slots:
                # A kept-alive connection the server closed in the meantime fails before
                # any answer arrives: the request never reached the app, so send it once
                # more on a new connection (as browsers do).
                for attempt in (1, 2):
                    connection = await self._connection(fresh=attempt == 2)
                    try:
                        response, keep = await self._exchange(connection, raw, method)
                    except _ClosedBeforeAnswer as closed:
                        connection.close()
                        if connection.used and attempt == 1:
                            continue
                        raise HTTPError(str(closed)) from None
                    except BaseException:
                        connection.close()
                        raise
                    if keep:
                        connection.used = True
                        connection.idle_since = time.monotonic()
                        self._idle.append(connection)
                    else:
                        connection.close()
                    return response
        except TimeoutError:
            raise HTTPError(f"no answer within {timeout or self.timeout:.0f} s") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            raise HTTPError(f"{type(e).__name__}: {e}") from None
        raise HTTPError("unreachable")  # pragma: no cover

    async def _connection(self, fresh: bool) -> _Connection:
        now = time.monotonic()
        while self._idle and not fresh:
            connection = self._idle.pop()  # the most recently used: least likely closed
            if now - connection.idle_since < self.idle_seconds:
                return connection
            connection.close()
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=2**20)
        self.connections_opened += 1
        return _Connection(reader, writer)

    async def _exchange(
        self, connection: _Connection, raw: bytes, method: str
    ) -> tuple[Response, bool]:
        reader, writer = connection.reader, connection.writer
        try:
            writer.write(raw)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            if isinstance(e, asyncio.IncompleteReadError) and e.partial:
                raise
            raise _ClosedBeforeAnswer(f"connection closed before an answer: {e!r}") from None
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        version, status = status_line.split(" ", 2)[:2]
        headers = []
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        status = int(status)
        response = Response(status, headers, b"")
        keep = version == "HTTP/1.1" and (response.header("connection") or "").lower() != "close"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return response, keep
        length = response.header("content-length")
        if length is not None:
            response.content = await reader.readexactly(int(length))
        elif (response.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")  # no trailers from our server
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            response.content = b"".join(chunks)
        else:
            response.content = await reader.read()
            keep = False
        return response, keep


class _ClosedBeforeAnswer(Exception):
    pass
