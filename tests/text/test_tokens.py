"""Offline token counting with the bundled encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import ConfigError
from summarizer.text import tokens

SAMPLE = "Port Aldine’s council — 212 million dollars, 61,000 vehicles a day. «Every month» counts! 🚗\n\n"


@pytest.mark.parametrize(
    ("model", "encoding"),
    [("gpt-4o", "o200k_base"), ("gpt-4o-mini", "o200k_base"), ("gpt-4", "cl100k_base"),
     ("gpt-3.5-turbo", "cl100k_base"), ("qwen2.5-coder-1.5b-instruct", "o200k_base"), ("", "o200k_base")],
)  # fmt: skip
def test_encoding_for_model(model: str, encoding: str) -> None:
    assert tokens.encoding_name_for_model(model) == encoding


def test_bundled_encodings_match_tiktoken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import shutil

    import tiktoken

    for name in ("o200k_base", "cl100k_base"):
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        src = Path(tokens.__file__).parent / "encodings" / f"{name}.tiktoken"
        shutil.copy(src, tmp_path / hashlib.sha1(url.encode()).hexdigest())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    text = SAMPLE * 20
    for name in ("o200k_base", "cl100k_base"):
        assert tokens.get_encoding(name).encode(text) == tiktoken.get_encoding(name).encode(text)


def test_corrupt_encoding_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "o200k_base.tiktoken").write_bytes(b"dGVzdA== 0\n")
    monkeypatch.setattr(tokens, "_ENCODINGS_DIR", tmp_path)
    monkeypatch.setattr(tokens, "_loaded", {})
    with pytest.raises(ConfigError, match="corrupt"):
        tokens.get_encoding("o200k_base")


def test_count() -> None:
    n = tokens.count_tokens(SAMPLE, "gpt-4o-mini")
    assert n == len(tokens.get_encoding("o200k_base").encode(SAMPLE))


def test_special_token_text_is_counted_as_text() -> None:
    assert tokens.count_tokens("<|endoftext|>", "gpt-4o") > 1


def test_threads_asking_at_once_load_the_encoding_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    loads: list[str] = []
    real = tokens._load_encoding

    def counting(name: str) -> object:
        loads.append(name)
        return real(name)

    monkeypatch.setattr(tokens, "_loaded", {})
    monkeypatch.setattr(tokens, "_load_encoding", counting)
    barrier = threading.Barrier(8)

    def ask() -> None:
        barrier.wait()
        tokens.count_tokens(SAMPLE, "gpt-4o-mini")

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == ["o200k_base"]


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4"])
def test_max_message_tokens_bounds_the_count(model: str) -> None:
    texts = [
        SAMPLE,
        "naïve café — “quoted” 😀 日本語のテキスト <|endoftext|>",
        "\n\n  \t",
        "1234567890" * 50,
        "",
    ]
    for text in texts:
        messages = [{"role": "system", "content": text}, {"role": "user", "content": text * 3}]
        assert tokens.max_message_tokens(messages) >= tokens.count_message_tokens(messages, model)
