"""Delivery channels behind one interface. SMS backends: a file backend that records messages for
development and tests, and an HTTP gateway backend (issue: result feedback)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class FileSmsBackend:
    """Appends each message as a JSON line to SMS_FILE_PATH: what a developer (or a test) reads."""

    def send(self, *, phone: str, text: str, reference: str) -> str:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"to": phone, "text": text, "reference": reference, "at": timezone.now().isoformat()}, ensure_ascii=False
        )
        # O_APPEND writes of one short line are atomic between processes.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        return reference


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
