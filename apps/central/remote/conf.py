"""Knobs of the remote virtual window at central (govservice/lib/knobs.py: a Django setting of the same name
wins, then the environment variable, then the default here). Every variable is also listed in
``.env.example``. Central owns the session, so the knobs of the session are here; the hall's page gets the
ICE servers from central's answer, so both browsers use the same ones."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_bool, env_int, env_str
from govservice.lib.knobs import AppConf, Knob


def _urls(value: Any) -> list[str]:
    """An RTCIceServer's urls, a string or a list of strings; empty if it is neither."""
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u.strip() for u in urls):
        return []
    return urls


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
    if not isinstance(value, list) or not all(isinstance(s, dict) and _urls(s.get("urls")) for s in value):
        raise ImproperlyConfigured(f"{name} must be a JSON list of objects with 'urls' (a string or a list of strings)")
    for server in value:
        turn = any(str(url).startswith(("turn:", "turns:")) for url in _urls(server["urls"]))
        if turn and not (isinstance(server.get("username"), str) and isinstance(server.get("credential"), str)):
            raise ImproperlyConfigured(f"{name}: a TURN server needs a 'username' and a 'credential' (strings)")
    return value


ICE_TRANSPORT_POLICIES = ("all", "relay")


def _ice_transport_policy(name: str, default: str) -> str:
    """RTCConfiguration.iceTransportPolicy: "all" (any candidate) or "relay" (only through a TURN server)."""
    value = env_str(name, default).strip() or default
    if value not in ICE_TRANSPORT_POLICIES:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(ICE_TRANSPORT_POLICIES)}")
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
    # Which ICE candidates both browsers may use: "all" (the default: host, STUN and TURN) or "relay" (only
    # through a TURN server of REMOTE_ICE_SERVERS: a network that must not let the two ends reach each other).
    REMOTE_ICE_TRANSPORT_POLICY = Knob(_ice_transport_policy, "all")
    # Record the calls' media: the staff member's browser records the call (MediaRecorder, WebM: the hall's
    # video and both sides' voices) and uploads it to the session's record when the connection ends, kept and
    # deleted with the record (privacy.py). Off (the default): no media are stored and an upload is refused.
    # Sessions are then opened only with the applicant's consent to the recording: set the hall's front's
    # REMOTE_RECORDING the same, so that its consent box asks for it.
    REMOTE_RECORDING = Knob(env_bool, False)
    # The largest part of a recording taken, in bytes. Central's page records each connection of a call and cuts
    # it into parts below this (handed to the page), so a long call is kept in several parts, none refused.
    REMOTE_RECORDING_MAX_BYTES = Knob(env_int, 200 * 1024 * 1024)
    # Milliseconds between the pages' polls for signalling and session state (the data channel carries chat
    # and typing once connected).
    REMOTE_POLL_MS = Knob(env_int, 800)
    # Milliseconds between polls once the data channel is open: typing, chat and "look now" nudges cross it
    # directly, so the polls only catch what a nudge missed (the benchmark's main lever, README "Remote window").
    REMOTE_POLL_CONNECTED_MS = Knob(env_int, 3000)
    # The largest signalling message taken (an SDP offer is a few kilobytes), in bytes.
    REMOTE_SIGNAL_MAX_BYTES = Knob(env_int, 32 * 1024)


remote_conf = RemoteConf()
