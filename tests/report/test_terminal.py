"""Text and Markdown output never pass control sequences from the source or the model to the terminal
(summarizer.report.terminal)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer import cli, errors
from summarizer.report.render import render_check, render_summary
from summarizer.report.terminal import terminal_safe
from summarizer.types import CheckReport, Summary
from tests._support.fake_openai_server import FakeOpenAIServer
from tests._support.paths import EXAMPLE

#: What must never reach a terminal: C0 controls but tab and newline, DEL, C1 controls, bidi overrides.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;pwned\x07",  # retitle the window (OSC)
    "\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\",  # a hyperlink (OSC 8)
    "\x9b31m",  # 8-bit CSI
    "done\rOVERWRITTEN",  # carriage return
    "abc\u202edcba",  # right-to-left override
    "bell\x07 back\x08space del\x7f",
]


def summary_with(text: str) -> Summary:
    data = Summary.model_validate_json((EXAMPLE.parent / "harbour-bridge-vote.summary.json").read_text(encoding="utf-8"))
    data.title = f"Title {text}"
    data.tldr = f"TL;DR {text}"
    data.key_points = [f"point {text}"]
    data.claims[0].text = f"claim {text}"
    data.claims[0].evidence[0].quote = f"quote {text}"
    data.warnings = [f"warning {text}"]
    assert data.verification is not None
    data.verification.claims[0].reason = f"reason {text}"
    return data


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_show_control_characters_instead_of_sending_them(hostile: str, fmt: str) -> None:
    summary = summary_with(hostile)
    out = render_summary(summary, fmt)  # type: ignore[arg-type]
    assert not UNSAFE.search(out), repr(out)
    if fmt == "text":
        assert terminal_safe(hostile) in out  # shown, as escape codes
    else:  # Markdown also escapes its own punctuation (] and \\)
        assert re.search(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|r)", out)
    assert summary.verification is not None
    report: CheckReport = summary.verification
    assert not UNSAFE.search(render_check(report, fmt))  # type: ignore[arg-type]


def test_json_keeps_the_text_exactly() -> None:
    summary = summary_with(HOSTILE[0])
    assert Summary.model_validate_json(render_summary(summary, "json")).title == summary.title


def test_terminal_safe_keeps_ordinary_text() -> None:
    text = "Ordinary text:\ttabs, newlines\n, “quotes”, accents é, CJK 漢字, emoji 🙂."
    assert terminal_safe(text) == text
    assert terminal_safe("\x1b[31m\r\u202e") == "\\x1b[31m\\r\\u202e"


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_the_command_line_sends_none_from_the_source_or_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "article.txt"
    source.write_text(
        "The council met on Monday \x1b[2J\x1b]0;pwned\x07to approve the bridge. It opens in May \u202eyaM.\n",
        encoding="utf-8",
    )
    with FakeOpenAIServer() as server:  # its summary quotes the source's sentences back
        code = cli.main(["summarize", str(source), "--base-url", server.url, "-f", "text"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "pwned" in out and not UNSAFE.search(out) and not UNSAFE.search(err)
    code = cli.main(["summarize", str(tmp_path / "missing\x1b[2J.txt")])
    err = capsys.readouterr().err
    assert code == errors.InputError.exit_code and "\\x1b[2J" in err and not UNSAFE.search(err)
