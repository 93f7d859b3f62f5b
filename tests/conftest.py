"""Shared test set-up: cassettes recorded from the local llama-server, replayed with the network blocked.

* One cassette folder per test module under ``cassettes/``: the module's path below ``tests/`` without
  ``.py`` (``cassettes/pipeline/test_summary/<test>.yaml`` for ``tests/pipeline/test_summary.py``).
* Requests match on method, URL and the parsed JSON body, so a changed prompt or schema is a cassette
  miss (a loud failure), never a silent replay.
* Before anything is written: request headers are reduced to content-type (no Authorization, no
  organisation/project headers, no cookies); response headers lose cookies and dates; volatile response
  fields (id, created, system_fingerprint, timings) are normalised.

Re-record with ``scripts/record-cassettes`` (starts the local server, runs the cassette tests in
record mode, stops it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests._support.paths import CASSETTES, EXAMPLE, TESTS

_KEEP_REQUEST_HEADERS = {"content-type", "accept"}
_DROP_RESPONSE_HEADERS = {"set-cookie", "date", "keep-alive", "openai-organization", "openai-project"}
_VOLATILE = {"id": "chatcmpl-recorded", "created": 0, "system_fingerprint": "recorded"}


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() not in _KEEP_REQUEST_HEADERS:
            del request.headers[name]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _DROP_RESPONSE_HEADERS:
            del headers[name]
    body = response.get("body", {}).get("string")
    if body:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return response
        if isinstance(data, dict):
            for key, value in _VOLATILE.items():
                if key in data:
                    data[key] = value
            data.pop("timings", None)
            encoded = json.dumps(data, ensure_ascii=False).encode("utf-8")
            response["body"]["string"] = encoded
            for name in list(headers):
                if name.lower() == "content-length":
                    headers[name] = [str(len(encoded))]
    return response


def _json_body(r1: Any, r2: Any) -> None:
    def parsed(r: Any) -> Any:
        raw = r.body or b""
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    if parsed(r1) != parsed(r2):
        raise AssertionError("request bodies differ (prompt, schema or parameters changed: re-record)")


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    vcr.register_matcher("json_body", _json_body)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "record_on_exception": False,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    module = Path(request.module.__file__).resolve().relative_to(TESTS).with_suffix("")
    return str(CASSETTES / module)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's keys, endpoints or caches."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_ORG_ID",
        "OPENAI_PROJECT_ID",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT",
        "OPENAI_API_VERSION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")
