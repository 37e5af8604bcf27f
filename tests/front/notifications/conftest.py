"""Outer-edge fakes for the notification tests: a real HTTP SMS gateway and a real SMTP server, each a
local server in a thread whose answers a test scripts (fail, then succeed)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from govservice.lib import signing

GATEWAY_KEY = "test-gateway-key-0123456789"


@dataclass
class GatewayServer:
    url: str
    # Each request takes the next scripted answer (status, JSON body); the last one repeats.
    answers: deque = field(default_factory=deque)
    requests: list = field(default_factory=list)
    signature_errors: list = field(default_factory=list)
    # Called with the request body before the gateway answers (e.g. a receipt that overtakes the answer).
    before_answer: Callable[[dict], None] | None = None

    def script(self, *answers: tuple[int, dict]) -> None:
        self.answers.clear()
        self.answers.extend(answers)


@pytest.fixture
def gateway(settings):
    """A local SMS gateway over real HTTP. It checks our HMAC signature like a real one would."""
    state = GatewayServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                signing.verify(
                    headers=self.headers,
                    method="POST",
                    path=self.path,
                    body=body,
                    secret_for=lambda kid: GATEWAY_KEY if kid == "gateway" else None,
                    max_skew=300,
                )
            except signing.SignatureError as exc:
                state.signature_errors.append(exc.code)
            state.requests.append({"headers": dict(self.headers), "body": json.loads(body)})
            if state.before_answer is not None:
                state.before_answer(json.loads(body))
            status, payload = state.answers.popleft() if len(state.answers) > 1 else state.answers[0]
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    state.script((202, {"id": "gw-1"}))
    settings.SMS_BACKEND = "apps.front.notifications.channels.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = state.url
    settings.SMS_GATEWAY_KEY = GATEWAY_KEY
    settings.SMS_GATEWAY_KEY_ID = "gateway"
    settings.SMS_GATEWAY_TIMEOUT = 5
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class SmtpServer:
    port: int
    # One entry per connection: True accepts the mail, False answers 421 and hangs up.
    accept: deque = field(default_factory=deque)
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp(settings):
    """A minimal real SMTP server (enough of RFC 5321 for Django's SMTP backend)."""
    state = SmtpServer(port=0)

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write((line + "\r\n").encode())
            self.wfile.flush()

        def handle(self):
            if not (state.accept.popleft() if len(state.accept) > 1 else (state.accept[0] if state.accept else True)):
                self.reply("421 4.3.2 Service not available, try again later")
                return
            self.reply("220 localhost ESMTP test")
            while True:
                line = self.rfile.readline().decode(errors="replace").strip()
                if not line:
                    return
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 localhost")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(data)
                    state.messages.append(b"".join(lines))
                    self.reply("250 OK queued")
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Command not implemented")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.port = server.server_address[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", state.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield state
    server.shutdown()
    server.server_close()


def signed_callback(
    client, payload: dict | bytes, *, message_id: str, key: str = GATEWAY_KEY, now: float | None = None
):
    """POST a delivery receipt to the callback endpoint, signed as the gateway signs it."""
    path = "/api/v1/notifications/callbacks/sms/"
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = signing.sign(
        key_id="gateway", secret=key, method="POST", path=path, message_id=message_id, body=body, now=now
    )
    return client.post(
        path,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


@pytest.fixture
def case(citizen, hall, matter, clerk):
    return Case.objects.create(
        number="TZ2026112400077",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.ACCEPTED,
        accepted_at=timezone.now(),
        promised_date=timezone.localdate(),
    )
