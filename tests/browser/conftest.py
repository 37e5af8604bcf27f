"""Browser tests: the chromium set-up lives in tests/browser_setup.py (a plugin of tests/conftest.py)."""

from tests.browser_setup import login
from tests.front.mandates.conftest import agent, company_matter, representative  # noqa: F401 - fixtures (issue 15)
from tests.front.online.conftest import newborn  # noqa: F401 - a fixture (the sweep's 一件事)

__all__ = ["login"]
