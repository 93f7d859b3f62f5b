"""Settings from arguments and the environment: OpenAI, compatible servers, Azure, the local server
(summarizer.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import config, errors
from summarizer.settings import local_base_url, resolve_settings
from tests._support.messages import check_message

API_KEY = "sk-test-000000000000"


def test_resolve_settings_without_env_is_local() -> None:
    s = resolve_settings()
    assert s.local is True
    assert s.base_url == local_base_url() == "http://127.0.0.1:8080/v1"
    assert s.model == config.LOCAL_MODEL
    assert s.api_key == config.LOCAL_API_KEY
    assert s.azure_endpoint is None


def test_resolve_settings_with_openai_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    s = resolve_settings()
    assert s.local is False
    assert s.model == config.DEFAULT_OPENAI_MODEL
    assert s.api_key == API_KEY
    assert s.base_url is None
    assert s.endpoint == "https://api.openai.com/v1"
    assert API_KEY not in repr(s)


def test_resolve_settings_base_url_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://gpu-box.invalid:8000/v1")
    s = resolve_settings(model="my-model")
    assert s.local is False
    assert s.base_url == "http://gpu-box.invalid:8000/v1"
    assert s.api_key == config.LOCAL_API_KEY  # a placeholder: the SDK insists on a key
    assert s.model == "my-model"


def test_resolve_settings_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.invalid/v1")
    s = resolve_settings(model="m", base_url="http://arg.invalid/v1", api_key="sk-arg")
    assert (s.model, s.base_url, s.api_key) == ("m", "http://arg.invalid/v1", "sk-arg")


def test_resolve_settings_azure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.invalid")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key-000")
    s = resolve_settings(model="summaries-deployment")
    assert s.azure_endpoint == "https://example.openai.azure.invalid"
    assert s.api_key == "az-key-000"
    assert s.model == "summaries-deployment"
    assert s.api_version == "2024-10-21"
    assert s.base_url is None and s.local is False
    assert s.endpoint == "https://example.openai.azure.invalid"


def test_resolve_settings_azure_api_version_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.invalid")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key-000")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01-preview")
    assert resolve_settings(model="d").api_version == "2025-01-01-preview"


def test_resolve_settings_azure_without_model_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.invalid")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key-000")
    with pytest.raises(errors.ConfigError) as info:
        resolve_settings()
    assert type(info.value) is errors.ConfigError
    assert info.value.exit_code == 3
    check_message(info.value, "Azure", "deployment")


def test_redact_is_the_one_helper_for_logs_and_batch_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.batch import work
    from summarizer.cli import output
    from summarizer.settings import redact

    monkeypatch.setenv("MY_API_KEY", "env-secret-value-123")
    text = "a sk-abcdefghijkl key, Bearer tok.en-12345678, env-secret-value-123 and given-secret-99"
    assert redact(text, ["given-secret-99", None, "short"]) == (
        "a [redacted] key, [redacted], [redacted] and [redacted]"
    )
    assert redact("short words stay") == "short words stay"
    assert work.redact is redact and output.redact is redact


def test_the_local_port_is_read_when_asked_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer import llama_server

    monkeypatch.setenv("SUMMARIZER_LOCAL_PORT", "18123")
    assert resolve_settings().base_url == "http://127.0.0.1:18123/v1"
    assert llama_server.LocalServer().port == 18123
    assert llama_server.status().base_url == "http://127.0.0.1:18123/v1"
    monkeypatch.setenv("SUMMARIZER_LOCAL_PORT", "eighty")
    with pytest.raises(errors.ConfigError, match="SUMMARIZER_LOCAL_PORT"):
        resolve_settings()


def test_batch_defaults_are_read_when_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from summarizer.batch import collect_inputs, run_batch
    from summarizer.types import Usage

    (tmp_path / "a.txt").write_text("A document.\n", encoding="utf-8")
    (tmp_path / "b.note").write_text("Another.\n", encoding="utf-8")
    monkeypatch.setattr(config, "DOCUMENT_SUFFIXES", (".note",))
    assert [i.path for i in collect_inputs([str(tmp_path)])] == [str(tmp_path / "b.note")]
    monkeypatch.setattr(config, "DEFAULT_JOBS", 0)  # read by run_batch at call time: refused
    with pytest.raises(errors.ConfigError, match="--jobs must be at least 1"):
        run_batch(collect_inputs([str(tmp_path)]), lambda d: Usage(), output=None)
