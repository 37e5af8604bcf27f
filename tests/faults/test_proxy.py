"""The fault proxy on its own, in front of a tiny HTTP server that records what it received."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from .proxy import FaultProxy


class Recorder(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(body)
        answer = b"got " + body
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with FaultProxy(("127.0.0.1", server.server_address[1]), reply_idle=0.5) as proxy:
        yield proxy
    server.shutdown()


def post(proxy: FaultProxy, body: bytes = b"hello") -> requests.Response:
    return requests.post(proxy.url, data=body, timeout=5)


def received_soon(count: int) -> list[bytes]:
    deadline = time.monotonic() + 3
    while len(Recorder.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return Recorder.received


def test_it_passes_requests_and_answers_through(proxy):
    assert post(proxy).content == b"got hello"
    assert Recorder.received == [b"hello"]
    assert proxy.wait_idle(2)


def test_it_adds_latency_per_chunk(proxy):
    proxy.slow(0.4, direction="down")
    started = time.monotonic()
    assert post(proxy).content == b"got hello"
    assert time.monotonic() - started >= 0.4


def test_it_refuses_connections_while_down_and_comes_back_on_the_same_port(proxy):
    port = proxy.port
    proxy.refuse()
    with pytest.raises(requests.ConnectionError, match="refused"):
        post(proxy)
    assert Recorder.received == []
    proxy.pass_through()
    assert proxy.port == port
    assert post(proxy).content == b"got hello"


def test_it_cuts_connections_without_forwarding_anything(proxy):
    proxy.cut()
    with pytest.raises(requests.ConnectionError):
        post(proxy)
    assert Recorder.received == []
    assert proxy.stats["cut"] == 1


def test_it_delivers_the_request_but_drops_the_reply(proxy):
    proxy.no_reply()
    with pytest.raises(requests.ConnectionError):
        post(proxy, b"commit me")
    # The target got the whole request and answered; only the sender is left not knowing.
    assert received_soon(1) == [b"commit me"]
    assert proxy.wait_idle(2)
    assert proxy.stats["replies_dropped"] == 1


def test_it_delivers_each_request_twice_and_answers_once(proxy):
    proxy.duplicate()
    assert post(proxy, b"once?").content == b"got once?"
    assert received_soon(2) == [b"once?", b"once?"]
    assert proxy.wait_idle(2)
    assert proxy.stats["copies_sent"] == 1


def test_it_keeps_the_mode_a_connection_started_with(proxy):
    proxy.slow(0.6, direction="down")
    result = {}
    thread = threading.Thread(target=lambda: result.update(response=post(proxy)))
    thread.start()
    deadline = time.monotonic() + 2
    while proxy.active == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    proxy.pass_through()
    started = time.monotonic()
    assert post(proxy).content == b"got hello"
    assert time.monotonic() - started < 0.4  # the new connection is not slowed
    thread.join()
    assert result["response"].content == b"got hello"
