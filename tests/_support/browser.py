"""A headless Chromium for the report tests: Debian's chromium and chromium-driver, driven by Selenium.

Nothing is downloaded: the browser and the driver are the system's (``.ci/run`` installs them). Without
them the browser tests are skipped, unless ``SUMMARIZER_BROWSER_TESTS=required`` (set by CI), which turns
a missing browser into a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--window-size=1440,900",
)


def _find(*names: str) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


@contextmanager
def chromium() -> Iterator[Any]:
    """A fresh headless Chromium (its own profile folder), closed afterwards."""
    required = os.environ.get("SUMMARIZER_BROWSER_TESTS") == "required"
    binary, driver_path = _find("chromium", "chromium-browser"), _find("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        binary = None
    if binary is None or driver_path is None:
        message = "needs selenium, Debian's chromium and chromium-driver (see .ci/run)"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="summarizer-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
