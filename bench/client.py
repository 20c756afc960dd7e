"""A small HTTP/1.1 client on asyncio streams, for the load generator.

Why not httpx: measured on this 2-core machine against /healthz (bench/README.md),
httpx's asyncio client spends about 2.5 ms of CPU per request with 8 requests in
flight and 11-14 ms with 512 (its pool re-scans every waiting request), while the
server spends about 1 ms. Client and server share the two cores, so with httpx the
benchmark would mostly measure itself. This client spends 0.1-0.4 ms.

It speaks just what the benchmark needs: GET and form POSTs, bodies by
Content-Length or chunked, keep-alive with a shared pool (like a load balancer's
upstream connections), and a deadline per request. Cookies are the caller's.

Given several servers (comma-separated base URLs: app servers on one machine or
several), it balances like a load balancer's "least connections" (nginx
least_conn, HAProxy leastconn): each request goes to the server with the fewest
requests in flight, ties in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
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


@dataclass
class _Upstream:
    host: str
    port: int
    host_header: str
    idle: list = field(default_factory=list)
    in_flight: int = 0


class Client:
    """At most `max_connections` connections in all; requests wait for a free one."""

    def __init__(
        self,
        base_url: str,
        *,
        max_connections: int = 100,
        timeout: float = 30.0,
        idle_seconds: float = 20.0,
        default_headers: dict[str, str] | None = None,
    ):
        self.upstreams = []
        for url in base_url.split(","):
            parts = urlsplit(url)
            if parts.scheme != "http":
                raise ValueError("only http:// (the benchmark talks to 127.0.0.1)")
            self.upstreams.append(
                _Upstream(parts.hostname or "127.0.0.1", parts.port or 80, parts.netloc)
            )
        self._turn = 0
        self.timeout = timeout
        # Kept well below the server's keep-alive timeout, so a connection is not
        # reused just as the server closes it.
        self.idle_seconds = idle_seconds
        self.default_headers = default_headers or {}
        self._slots = asyncio.Semaphore(max_connections)
        self.connections_opened = 0

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        for upstream in self.upstreams:
            for connection in upstream.idle:
                connection.close()
            upstream.idle.clear()

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
        lines = []
        for name, value in {**self.default_headers, **(headers or {})}.items():
            lines.append(f"{name}: {value}")
        if data is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if data is not None or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        rest = "".join(f"{line}\r\n" for line in lines) + "\r\n"
        deadline = asyncio.timeout(timeout or self.timeout)
        try:
            async with deadline, self._slots, self._pick() as upstream:
                head = f"{method} {path} HTTP/1.1\r\nHost: {upstream.host_header}\r\n{rest}"
                raw = head.encode("latin-1") + body
                # A kept-alive connection the server closed in the meantime fails before
                # any answer arrives: the request never reached the app, so send it once
                # more on a new connection (as browsers do).
                for attempt in (1, 2):
                    connection = await self._connection(upstream, fresh=attempt == 2)
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
                        upstream.idle.append(connection)
                    else:
                        connection.close()
                    return response
        except TimeoutError:
            raise HTTPError(f"no answer within {timeout or self.timeout:.0f} s") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            raise HTTPError(f"{type(e).__name__}: {e}") from None
        raise HTTPError("unreachable")  # pragma: no cover

    @contextlib.asynccontextmanager
    async def _pick(self):
        """The server with the fewest requests in flight, among equals the next in turn;
        counted in flight there until the answer is read."""
        self._turn += 1
        n = len(self.upstreams)
        order = [self.upstreams[(self._turn + i) % n] for i in range(n)]
        upstream = min(order, key=lambda u: u.in_flight)
        upstream.in_flight += 1
        try:
            yield upstream
        finally:
            upstream.in_flight -= 1

    async def _connection(self, upstream: _Upstream, fresh: bool) -> _Connection:
        now = time.monotonic()
        while upstream.idle and not fresh:
            connection = upstream.idle.pop()  # the most recently used: least likely closed
            if now - connection.idle_since < self.idle_seconds:
                return connection
            connection.close()
        reader, writer = await asyncio.open_connection(upstream.host, upstream.port, limit=2**20)
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
