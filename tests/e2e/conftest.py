"""Headless Chromium (Debian's package) driven by Playwright, for pages a person uses."""
from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import IN_CI

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    return os.environ.get("MOTCUA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("Debian chromium is not installed (make system-deps installs it)")
        pytest.skip("chromium not installed")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            await b.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    ctx = await browser.new_context(viewport={"width": 390, "height": 780}, locale="vi-VN")
    p = await ctx.new_page()
    yield p
    await ctx.close()
