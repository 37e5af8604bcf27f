"""A TCP fault proxy for the wire between the sites (DESIGN.md §9).

It listens on a loopback port and forwards every connection to a target; a test switches its mode at any
time. A connection keeps the mode it was accepted in, so switching back to "pass" lets requests already in
flight finish the way they started (a slow send stays slow).

Modes:

``pass``       forward both ways.
``latency``    forward, each chunk held ``latency`` seconds first (in ``direction`` "both", "up" = towards
               the target, or "down" = the reply).
``refuse``     the listening socket is closed: connecting fails with "connection refused" (the site is down).
``cut``        accept, then reset the connection at once without reading a byte.
``no_reply``   "processed but no reply": the request reaches the target in full, the target's whole answer is
               read and thrown away, then the client's connection is reset. The receiver committed; the
               sender sees a failure.
``duplicate``  the request goes to the target twice, on two connections at once; the client gets the first
               connection's answer, the copy's is thrown away (a message delivered twice).

Threads, not asyncio: a test drives it from plain synchronous code, and each connection is a handful of
blocking loops that are easy to read.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable

PASS, LATENCY, REFUSE, CUT, NO_REPLY, DUPLICATE = "pass", "latency", "refuse", "cut", "no_reply", "duplicate"
MODES = (PASS, LATENCY, REFUSE, CUT, NO_REPLY, DUPLICATE)
CHUNK = 65536


def _reset(sock: socket.socket) -> None:
    """Close with RST rather than FIN (SO_LINGER 0): the peer sees "connection reset", as when a link dies.
    shutdown(SHUT_RD) first wakes a thread blocked reading it: Linux keeps a socket open until then."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    sock.close()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    def __init__(self, target: tuple[str, int], *, host: str = "127.0.0.1", port: int = 0, reply_idle: float = 2.0):
        self.target = target
        self.host = host
        self.port = port
        # "no_reply" and "duplicate" read the answer they throw away until the target closes, or until it has
        # been silent this long (a target that keeps connections alive never closes).
        self.reply_idle = reply_idle
        self.mode = PASS
        self.latency = 0.0
        self.direction = "both"
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._stopped = False

    # --- Life cycle ---------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._unlisten()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            _close(sock)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def active(self) -> int:
        """Client connections open right now (a request in flight)."""
        with self._lock:
            return self.stats["accepted"] - self.stats["finished"]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no connection is open (its bookkeeping done); False if still busy at the timeout."""
        deadline = time.monotonic() + timeout
        while self.active and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.active

    # --- Switching modes ----------------------------------------------------------------------------

    def set(self, mode: str, *, latency: float = 0.0, direction: str = "both") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        if direction not in ("both", "up", "down"):
            raise ValueError(f"unknown direction {direction!r}")
        with self._lock:
            self.mode, self.latency, self.direction = mode, latency, direction
        if mode == REFUSE:
            self._unlisten()
        elif self._listener is None and not self._stopped:
            self._listen()

    def pass_through(self) -> None:
        self.set(PASS)

    def slow(self, seconds: float, *, direction: str = "both") -> None:
        self.set(LATENCY, latency=seconds, direction=direction)

    def refuse(self) -> None:
        self.set(REFUSE)

    def cut(self) -> None:
        self.set(CUT)

    def no_reply(self) -> None:
        self.set(NO_REPLY)

    def duplicate(self) -> None:
        self.set(DUPLICATE)

    # --- Listening ----------------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))  # the same port again after a "refuse"
        listener.listen(128)
        # accept() in another thread is not woken by close(); a short timeout lets the loop see the switch.
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(
            target=self._accept_loop, args=(listener,), name=f"proxy:{self.port}", daemon=True
        )
        self._acceptor.start()

    def _unlisten(self) -> None:
        listener, acceptor = self._listener, self._acceptor
        self._listener = self._acceptor = None
        if listener is not None:
            listener.close()
        if acceptor is not None and acceptor is not threading.current_thread():
            acceptor.join(timeout=2)

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                mode, latency, direction = self.mode, self.latency, self.direction
                self.stats["accepted"] += 1
                self.stats[mode] += 1
            threading.Thread(
                target=self._serve, args=(client, mode, latency, direction), name=f"proxy-conn:{self.port}", daemon=True
            ).start()

    # --- One connection -----------------------------------------------------------------------------

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._open.update(socks)

    def _untrack(self, *socks: socket.socket) -> None:
        with self._lock:
            self._open.difference_update(socks)

    def _connect(self) -> socket.socket:
        upstream = socket.create_connection(self.target, timeout=10)
        upstream.settimeout(None)
        self._track(upstream)
        return upstream

    def _serve(self, client: socket.socket, mode: str, latency: float, direction: str) -> None:
        self._track(client)
        upstreams: list[socket.socket] = []
        try:
            if mode == CUT:
                _reset(client)
                return
            try:
                upstreams.append(self._connect())
                if mode == DUPLICATE:
                    upstreams.append(self._connect())
            except OSError:
                self.stats["upstream_unreachable"] += 1
                _reset(client)
                return
            if mode == NO_REPLY:
                self._no_reply(client, upstreams[0])
            elif mode == DUPLICATE:
                self._duplicate(client, *upstreams)
            else:
                up_delay = latency if mode == LATENCY and direction in ("both", "up") else 0.0
                down_delay = latency if mode == LATENCY and direction in ("both", "down") else 0.0
                self._both_ways(client, upstreams[0], up_delay, down_delay)
        finally:
            for sock in (client, *upstreams):
                _close(sock)
            self._untrack(client, *upstreams)
            with self._lock:
                self.stats["finished"] += 1

    def _pump(self, source: socket.socket, sinks: list[socket.socket], delay: float = 0.0) -> int:
        """Copy ``source`` to every sink until it ends; then half-close the sinks. Returns bytes copied."""
        total = 0
        while True:
            try:
                data = source.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                break
            if delay:
                time.sleep(delay)
            total += len(data)
            for sink in list(sinks):
                try:
                    sink.sendall(data)
                except OSError:
                    sinks.remove(sink)  # that side went away; keep feeding the others
        for sink in sinks:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
        return total

    def _drain(self, upstream: socket.socket) -> int:
        """Read the target's answer and throw it away: until it closes, or falls silent after answering."""
        total = 0
        upstream.settimeout(30)  # a target that never answers must not hold the thread for ever
        while True:
            try:
                data = upstream.recv(CHUNK)
            except TimeoutError:
                break
            except OSError:
                break
            if not data:
                break
            total += len(data)
            upstream.settimeout(self.reply_idle)
        return total

    def _in_thread(self, func: Callable[[], object]) -> threading.Thread:
        thread = threading.Thread(target=func, daemon=True)
        thread.start()
        return thread

    def _both_ways(self, client: socket.socket, upstream: socket.socket, up_delay: float, down_delay: float) -> None:
        up = self._in_thread(lambda: self._pump(client, [upstream], up_delay))
        self._pump(upstream, [client], down_delay)
        # The answer is complete; a client that keeps the connection open is cut after a grace period.
        up.join(timeout=self.reply_idle + up_delay)

    def _no_reply(self, client: socket.socket, upstream: socket.socket) -> None:
        self._in_thread(lambda: self._pump(client, [upstream]))
        if self._drain(upstream):
            with self._lock:
                self.stats["replies_dropped"] += 1
        _reset(client)

    def _duplicate(self, client: socket.socket, first: socket.socket, copy: socket.socket) -> None:
        up = self._in_thread(lambda: self._pump(client, [first, copy]))
        copy_reader = self._in_thread(lambda: self._drain(copy))
        self._pump(first, [client])
        up.join()
        copy_reader.join()
        with self._lock:
            self.stats["copies_sent"] += 1
