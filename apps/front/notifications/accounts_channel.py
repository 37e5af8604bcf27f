"""Accounts' SMS (one-time codes, takeover notices) goes through this app's channel backends
(channels.sms_backend), at once and without a Notification row: a one-time code must not be stored in a
business table, nor wait for quiet hours. Registered in NotificationsConfig.ready()."""

from __future__ import annotations

from .channels import sms_backend


def send_sms(phone: str, text: str, reference: str) -> None:
    """Raises the backend's SendError when the message did not go out."""
    sms_backend().send(phone=phone, text=text, reference=reference)
