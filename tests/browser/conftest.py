"""Playwright for Python driving Debian's Chromium (never a downloaded browser build)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(
            "Chromium is missing: run `bash scripts/system-deps test` "
            "(Debian: apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def _watch_policy(page):
    """Every browser test also proves the pages break no Content-Security-Policy rule: Chromium
    reports each refused script, style or frame on the console, and the test fails on any."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.fixture(params=["phone", "desktop"])
def page(request, browser, live_server):
    size = PHONE if request.param == "phone" else DESKTOP
    context = browser.new_context(
        viewport=size,
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        locale="vi-VN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    refused = _watch_policy(page)
    yield page
    context.close()
    assert not refused, f"Content-Security-Policy violations: {refused}"


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized, touch browser context's page."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    refused = _watch_policy(page)
    yield page
    context.close()
    assert not refused, f"Content-Security-Policy violations: {refused}"
