"""The package version, read from the installed metadata on first use (importlib.metadata is slow to import)."""

from __future__ import annotations

from functools import cache


@cache
def get_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("summarizer")
    except PackageNotFoundError:  # running from a checkout without installing
        return "0.0.0+unknown"
