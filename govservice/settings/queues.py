"""Redis: the cache, and Celery (broker, acknowledgement, time limits, beat)."""

from __future__ import annotations

import importlib

from govservice.lib.envvars import env_bool, env_int

from .core import BASE_DIR, INSTALLED_APPS, SITE_ROLE, env

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # One prefix per platform: two fronts sharing a Redis (bin/platform) never read each other's keys.
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=f"gs:{SITE_ROLE}"),
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# Each site has its own queue so two sites sharing one Redis never run each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default=f"govservice-{SITE_ROLE}")
# A task is acknowledged only after it ran, and re-queued if its worker dies mid-way; tasks are
# idempotent and re-read state, so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# HTTP timeout (EXCHANGE_HTTP_TIMEOUT) < soft limit < hard limit < visibility timeout, so a slow
# send is abandoned by us before Redis hands the task to another worker.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic work: each app lists its own in its schedule.py (``PERIODIC``), gathered for this site's apps.
CELERY_BEAT_SCHEDULE = {
    name: entry
    for app in INSTALLED_APPS
    if app.startswith("apps.") and (BASE_DIR / app.replace(".", "/") / "schedule.py").exists()
    for name, entry in importlib.import_module(f"{app}.schedule").PERIODIC.items()
}
# Several nodes may each start beat: with CELERY_BEAT_LOCK=1 the schedule lives in Redis (celery-redbeat) and
# only the beat holding the site's lock sends; the others wait and take over within the lock's timeout once
# it is not extended (its holder stopped or died). Off by default: one beat per site needs no lock.
CELERY_BEAT_LOCK = env_bool("CELERY_BEAT_LOCK", False)
if CELERY_BEAT_LOCK:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = env.str("CELERY_BEAT_REDIS_URL", default=CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = f"redbeat:{CELERY_TASK_DEFAULT_QUEUE}:"
    # The holder extends the lock every tick (at most CELERY_BEAT_MAX_LOOP_INTERVAL apart); a waiting beat
    # tries again as often.
    CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_SECONDS", 5)
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("CELERY_BEAT_LOCK_SECONDS", 30)
