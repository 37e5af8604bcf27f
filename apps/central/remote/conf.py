"""Knobs of the remote virtual window at central (govservice/lib/knobs.py: a Django setting of the same name
wins, then the environment variable, then the default here). Every variable is also listed in
``.env.example``. Central owns the session, so the knobs of the session are here; the hall's page gets the
ICE servers from central's answer, so both browsers use the same ones."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_int, env_str
from govservice.lib.knobs import AppConf, Knob


def _ice_servers(name: str, default: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A JSON list of RTCIceServer objects: [{"urls": "stun:…"}, {"urls": "turn:…", "username": …,
    "credential": …}]. Refused at start-up if it is not one."""
    raw = env_str(name, "")
    if not raw.strip():
        return default
    try:
        value = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a JSON list of ICE servers") from None
    if not isinstance(value, list) or not all(isinstance(s, dict) and s.get("urls") for s in value):
        raise ImproperlyConfigured(f"{name} must be a JSON list of objects with 'urls'")
    return value


class RemoteConf(AppConf):
    # Seconds a session rings in its department's queue before it ends unanswered: the hall is told, and a
    # consultation ticket is opened there for a call-back (setting).
    REMOTE_RING_SECONDS = Knob(env_int, 120)
    # Seconds a join ticket is valid. The hall's front presents it with every request and gets a fresh one
    # once half of it is used, so it runs out only when the hall stops asking (page closed, device gone).
    REMOTE_JOIN_TICKET_SECONDS = Knob(env_int, 300)
    # STUN/TURN servers for both browsers, a JSON list of RTCIceServer objects. Empty: host candidates only,
    # enough on one machine or one network; a city network usually needs a TURN server (coturn).
    REMOTE_ICE_SERVERS: Knob[list[dict[str, Any]]] = Knob(_ice_servers, [])
    # Milliseconds between the pages' polls for signalling and session state (the data channel carries chat
    # and typing once connected).
    REMOTE_POLL_MS = Knob(env_int, 800)
    # Milliseconds between polls once the data channel is open: typing, chat and "look now" nudges cross it
    # directly, so the polls only catch what a nudge missed (the benchmark's main lever, README "Remote window").
    REMOTE_POLL_CONNECTED_MS = Knob(env_int, 3000)
    # The largest signalling message taken (an SDP offer is a few kilobytes), in bytes.
    REMOTE_SIGNAL_MAX_BYTES = Knob(env_int, 32 * 1024)


remote_conf = RemoteConf()
