"""The wire between the sites (apps/shared/exchange): where central is and how large a package may be."""

from __future__ import annotations

from govservice.lib.envvars import env_int

from .core import env

CENTRAL_URL = env.str("CENTRAL_URL", default="http://127.0.0.1:8100")
# The wire's knobs (skew, timeouts, retries, leases, central's peer code): apps/shared/exchange/conf.py.
# Case packages carry materials inline (base64): allow bodies large enough for a scanned case.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 60 * 1024 * 1024)
