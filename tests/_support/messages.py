"""Assertions about error messages."""

from __future__ import annotations


def check_message(exc: BaseException, *needles: str) -> None:
    """One clear line that names the cause."""
    text = str(exc)
    assert text, "empty message"
    assert "\n" not in text and "\r" not in text, f"multi-line message: {text!r}"
    for needle in needles:
        assert needle.lower() in text.lower(), f"{needle!r} not in {text!r}"
