"""A plain-text article and helpers shared by the document and furniture tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import InputError

BODY = (
    "Residents of Marrowby voted on Tuesday to restore the tidal mill on the harbour wall.\n"
    "The trust expects the sluice gates to be replaced by next spring.\n"
)


def write_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def input_error(excinfo: pytest.ExceptionInfo[InputError], *parts: str) -> str:
    """The message is one line and names the input and the cause."""
    message = str(excinfo.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, (part, message)
    return message
