"""The batch tests' fake OpenAI-compatible server (tests/_support/fake_openai_server.py), one per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._support.fake_openai_server import FakeOpenAIServer


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv
