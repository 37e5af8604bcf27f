"""Knobs of the remote virtual window at the hall's front (govservice/lib/knobs.py: a Django setting of the same
name wins, then the environment variable, then the default here). Every variable is also listed in
``.env.example``. The session's own knobs (ring time, join tickets, ICE servers) are central's: it owns the
session (apps/central/remote/conf.py)."""

from __future__ import annotations

from govservice.lib.envvars import env_bool, env_int
from govservice.lib.knobs import AppConf, Knob


class RemoteConf(AppConf):
    # Seconds the front waits for central on a relayed request (a poll, a signal, the start); then the hall's
    # page is told to try again (503) and retries by itself.
    REMOTE_RELAY_TIMEOUT = Knob(env_int, 5)
    # Seconds for a relayed scan (a larger body).
    REMOTE_SCAN_TIMEOUT = Knob(env_int, 30)
    # The calls' media are recorded at central (its REMOTE_RECORDING, set the same on both sites): the consent box
    # at the kiosk and the window then asks for the recording too, and the hall tells central it was given (a
    # central that records opens no session without it).
    REMOTE_RECORDING = Knob(env_bool, False)


remote_conf = RemoteConf()
