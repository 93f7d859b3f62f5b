"""A status line while one document is worked on: on a terminal only, never on a pipe (summarizer.cli.status)."""

from __future__ import annotations

import io
import re
import sys

import pytest

from summarizer import activity, cli
from summarizer.cli.status import status_line
from tests._support.fake_openai_server import FakeOpenAIServer
from tests._support.paths import EXAMPLE

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_single_document_shows_what_it_waits_for_with_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    with FakeOpenAIServer(latency=2.0) as server:
        code = cli.main(["summarize", str(EXAMPLE), "--base-url", server.url, "-f", "json"])
    shown = terminal.getvalue()
    assert code == 0, shown
    assert re.search(r"waiting for gpt-4o-mini's answer to a [\d,]+-character prompt … 0 s", shown)
    assert "… 1 s" in shown  # redrawn while it waits
    assert shown.endswith("\r\x1b[K")  # and cleared before the result is written


def test_nothing_is_drawn_on_a_pipe_or_with_verbose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIServer(latency=0.2) as server:
        assert cli.main(["summarize", str(EXAMPLE), "--base-url", server.url, "-f", "json"]) == 0
        assert capsys.readouterr().err == ""  # a pipe: not a word
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert cli.main(["summarize", str(EXAMPLE), "--base-url", server.url, "-f", "json", "-v"]) == 0
    assert "\x1b[K" not in terminal.getvalue()


def test_the_library_says_nothing_without_a_listener() -> None:
    activity.report("nobody listens")  # no error, no output
    steps: list[str] = []
    with activity.listening(steps.append):
        activity.report("one")
    activity.report("two")
    assert steps == ["one"]


def test_status_line_is_off_for_a_stream_that_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with status_line(stream=stream, tick=0.01):
        activity.report("step")
    assert stream.getvalue() == ""
