"""Browser tests drive Debian's chromium through Playwright (no browser download). Loaded as a plugin
by tests/conftest.py, so browser tests under tests/browser and tests/e2e share it."""

import os
import shutil
import time

import pytest

# Playwright's sync API runs an event loop in the test thread; browser tests also use the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            # The remote window's pages use the camera and microphone: a synthetic camera and tone, granted
            # without a prompt (tests/e2e/test_remote_window.py).
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _no_content_security_policy_violation(request):
    """A page whose own script or style the Content-Security-Policy refuses is broken for its users: every
    browser test fails on such a report in the console."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    reports: list[str] = []
    page.on(
        "console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield
    assert reports == []


def wait_until(page, expression: str, *, timeout: float = 5.0) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function evaluates a string
    with eval, which the pages' Content-Security-Policy rightly refuses; page.evaluate is not affected.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def login(page, server, username: str, password: str) -> None:
    """``server`` is anything with a ``url``: pytest-django's live_server, or an e2e site."""
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
