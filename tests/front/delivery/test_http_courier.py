"""The contracted courier's HTTP backend (the one production uses instead of the file courier): a signed
order, the delivery's reference as its message id, the tracking number from the answer, and a refusal or a
silence as a CourierError the dispatch retries."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from apps.front.delivery.couriers import CourierError, HttpCourierBackend, Waybill
from govservice.lib import signing

WAYBILL = Waybill(
    reference="delivery-42",
    recipient_name="王小明",
    recipient_phone="13800001234",
    address="北京市通州区运河东大街57号",
    contents="社会保障卡",
)


class _Courier(http.server.BaseHTTPRequestHandler):
    answers: list[tuple[int, dict]] = []
    seen: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((dict(self.headers.items()), body))
        status, data = type(self).answers.pop(0)
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def courier(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Courier)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.COURIER_API_URL = f"http://127.0.0.1:{server.server_port}/orders"
    settings.COURIER_API_KEY = "courier-api-secret"
    settings.COURIER_API_KEY_ID = "k1"
    _Courier.answers, _Courier.seen = [], []
    yield _Courier
    server.shutdown()


def test_it_orders_with_a_signed_request_and_returns_the_tracking_number(courier):
    courier.answers.append((201, {"tracking_number": "SF1234567890"}))
    assert HttpCourierBackend().order(WAYBILL) == "SF1234567890"
    headers, body = courier.seen[0]
    assert json.loads(body)["reference"] == "delivery-42" and headers["X-GS-Message-Id"] == "delivery-42"
    verified = signing.verify(
        headers=headers,
        method="POST",
        path="/orders",
        body=body,
        secret_for={"k1": "courier-api-secret"}.get,
        max_skew=300,
    )
    assert verified.message_id == "delivery-42"


@pytest.mark.parametrize("answer", [(500, {}), (400, {"code": "bad_address"}), (200, {"tracking_number": "<script>"})])
def test_a_refusal_or_a_strange_answer_is_a_courier_error(courier, answer):
    courier.answers.append(answer)
    with pytest.raises(CourierError):
        HttpCourierBackend().order(WAYBILL)


def test_an_unreachable_or_unconfigured_courier_is_a_courier_error(settings):
    settings.COURIER_API_URL, settings.COURIER_API_KEY = "http://127.0.0.1:9/orders", "k"
    with pytest.raises(CourierError):
        HttpCourierBackend().order(WAYBILL)
    settings.COURIER_API_URL = ""
    with pytest.raises(CourierError):
        HttpCourierBackend().order(WAYBILL)
