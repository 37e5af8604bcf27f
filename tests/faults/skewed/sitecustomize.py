"""Loaded (through PYTHONPATH) only by a process run with a skewed clock under libfaketime: a sleep that
does not go through clock_nanosleep, which libfaketime 0.9.10 breaks when the monotonic clock stays real
(time.sleep raises EINVAL). Timed waits on locks and select() are unaffected and stay real."""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds > 0:
        select.select([], [], [], seconds)


time.sleep = _sleep
