"""Browser tests: the chromium set-up lives in tests/browser_setup.py (a plugin of tests/conftest.py)."""

from tests.browser_setup import login

__all__ = ["login"]
