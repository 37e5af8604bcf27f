"""Courier backends: the outer edge where a waybill is ordered for a posted result.

``settings.COURIER_BACKEND`` names the class. The development and test backend records each waybill in a
JSON-lines file and answers with a tracking number; a contracted courier's HTTP backend would go here
beside it. Deliveries come back through the signed callback (apps.front.delivery.api.CourierCallbackApi).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.front.delivery.conf import delivery_conf
from govservice.lib import signing


@dataclass(frozen=True)
class Waybill:
    # Our reference is the delivery row id: never personal data (DOMAIN.md §7). The recipient's name,
    # phone and address go to the courier only because it has to deliver to them.
    reference: str
    recipient_name: str
    recipient_phone: str
    address: str
    contents: str


class CourierError(Exception):
    """The courier refused or could not be reached; the dispatch is tried again later."""


class CourierBackend(Protocol):
    name: str  # the code stored with the tracking number and named by the courier's callbacks
    label: str  # what the citizen is told

    def order(self, waybill: Waybill) -> str:
        """Order a pick-up; returns the tracking number. The same reference gives the same number."""


class FileCourierBackend:
    """Development courier: appends the waybill to ``COURIER_FILE_PATH`` and derives the tracking number
    from the reference, so a repeated order (a retried task) gets the number it got the first time."""

    name = "dev-express"
    label = "开发快递"

    def order(self, waybill: Waybill) -> str:
        tracking = "DX" + str(int(hashlib.sha256(waybill.reference.encode()).hexdigest(), 16))[:12]
        path = Path(settings.COURIER_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"at": timezone.now().isoformat(), "tracking_number": tracking, **asdict(waybill)}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return tracking


def courier_backend() -> CourierBackend:
    return import_string(settings.COURIER_BACKEND)()


class HttpCourierBackend:
    """A contracted courier's order API over HTTP. POSTs the waybill as JSON to COURIER_API_URL, signed like
    the wire between the sites (govservice/lib/signing.py) with COURIER_API_KEY, the delivery's reference as
    the message id, so a repeated order (a retried task) is one order at the courier. 2xx with
    ``{"tracking_number"}``: ordered; anything else, a timeout or no connection: CourierError, tried again.
    Deliveries come back through the signed callback, as from any courier."""

    @property
    def name(self) -> str:
        return delivery_conf.COURIER_NAME

    @property
    def label(self) -> str:
        return delivery_conf.COURIER_LABEL

    def order(self, waybill: Waybill) -> str:
        url, key = delivery_conf.COURIER_API_URL, delivery_conf.COURIER_API_KEY
        if not url or not key:
            raise CourierError("courier API not configured")
        body = json.dumps(asdict(waybill), ensure_ascii=False).encode()
        headers = signing.sign(
            key_id=delivery_conf.COURIER_API_KEY_ID,
            secret=key,
            method="POST",
            path=urlsplit(url).path or "/",
            message_id=waybill.reference,
            body=body,
        )
        headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = requests.post(url, data=body, headers=headers, timeout=delivery_conf.COURIER_API_TIMEOUT)
        except requests.RequestException as exc:
            raise CourierError(f"courier unreachable: {type(exc).__name__}") from None
        try:
            tracking = str(response.json().get("tracking_number", "")) if response.ok else ""
        except ValueError:
            tracking = ""
        if not response.ok or not re.fullmatch(r"[A-Za-z0-9-]{4,40}", tracking):
            raise CourierError(f"courier refused: HTTP {response.status_code}")
        return tracking
