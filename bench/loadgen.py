"""A small, cheap HTTP/1.1 load generator on asyncio streams.

On a 2-core machine the load generator competes with gunicorn and PostgreSQL for the same cores, so it
has to cost little per request: one event loop, a fixed number of connections (keep-alive when the server
allows it: gthread does, sync workers answer ``Connection: close`` and we reconnect), no HTTP library on
top. It speaks just what the benchmarks need: a request with a small body, a response with
``Content-Length`` or chunked encoding, or read to the end when the server closes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

Job = TypeVar("Job")


class NoAnswer(Exception):
    """No HTTP response: connection refused or reset, or the timeout ran out."""


class HttpConnection:
    """One client connection, reopened whenever the server closes it."""

    def __init__(self, host: str, port: int, *, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.host_header = f"{host}:{port}"

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        """(status, body) of one exchange; raises NoAnswer. A reused keep-alive connection that the server
        had already closed is reopened once (it saw nothing of this request: the request carries an
        Idempotency-Key anyway)."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            return await asyncio.wait_for(self._exchange(payload), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.close()
            raise NoAnswer(type(exc).__name__) from exc

    async def _exchange(self, payload: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        try:
            return await self._send(payload)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            self.close()
            return await self._send(payload)

    async def _send(self, payload: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = -1, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            body = await self._read_chunked()
        elif length >= 0:
            body = await self.reader.readexactly(length)
        else:
            body, close = await self.reader.read(), True
        if close:
            self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    """Every request's outcome and latency (seconds). ``unanswered``: no response at all, or a 5xx."""

    statuses: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return self.statuses.total()

    @property
    def unanswered(self) -> int:
        return self.statuses["none"] + sum(n for status, n in self.statuses.items() if status.startswith("5"))

    @property
    def answered(self) -> int:
        return self.requests - self.unanswered

    @property
    def throughput(self) -> float:
        return self.answered / self.elapsed if self.elapsed else 0.0

    def __add__(self, other: Tally) -> Tally:
        """Two runs of the same load as one (their wall times added)."""
        return Tally(
            statuses=self.statuses + other.statuses,
            codes=self.codes + other.codes,
            latencies=self.latencies + other.latencies,
            errors=self.errors + other.errors,
            elapsed=self.elapsed + other.elapsed,
        )


class Client:
    """Times requests on one connection and records them in a shared tally."""

    def __init__(self, connection: HttpConnection, tally: Tally):
        self.connection, self.tally = connection, tally

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        """(status, body); status 0 when there was no answer (recorded as such)."""
        started = time.perf_counter()
        try:
            status, data = await self.connection.request(method, path, headers, body)
        except NoAnswer as exc:
            self.tally.statuses["none"] += 1
            self.tally.errors[str(exc)] += 1
            return 0, b""
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.statuses[str(status)] += 1
        return status, data


async def _drive(
    host: str,
    port: int,
    jobs: Iterable[Job],
    handle: Callable[[Client, Job], Awaitable[None]],
    *,
    connections: int,
    timeout: float,
) -> Tally:
    tally = Tally()
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        client = Client(HttpConnection(host, port, timeout=timeout), tally)
        try:
            while True:
                try:
                    job = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await handle(client, job)
        finally:
            client.connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    tally.elapsed = time.perf_counter() - started
    return tally


def run(
    base_url: str,
    jobs: Iterable[Job],
    handle: Callable[[Client, Job], Awaitable[None]],
    *,
    connections: int,
    timeout: float = 10.0,
) -> Tally:
    """Run ``handle(client, job)`` for every job, ``connections`` at a time, each on its own connection;
    the tally's ``elapsed`` is the wall time from the first request to the last answer."""
    host, _, port = base_url.removeprefix("http://").partition(":")
    return asyncio.run(_drive(host, int(port), jobs, handle, connections=connections, timeout=timeout))
