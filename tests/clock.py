"""Clocks a helper moved for one test (tests/journey_helpers.shift_slot_to_now near midnight), put back after
it by tests/conftest.py. Role-free: both sites' suites load the conftest."""

from __future__ import annotations

TRAVELS: list = []
