"""Every read of the environment, in one place: which model endpoint to call, where the cache lives,
which port the local server uses, and which values count as secrets.

* :class:`Settings` and :func:`resolve_settings`: which endpoint, key and model (OpenAI, Azure OpenAI, any
  OpenAI-compatible server, or the bundled local server when no key is configured).
* :func:`cache_dir`: where the local model runtime, its weights and the result cache are kept.
* :func:`local_port` / :func:`local_base_url`: the bundled local server's address (read when asked, so a
  ``SUMMARIZER_LOCAL_PORT`` set after import counts).
* :func:`secret_values` and :func:`redact`: the API keys set in the environment, and the one helper that
  keeps them (and anything shaped like a key or a bearer token) out of log lines and error messages.

Everything else the project defaults to is a constant in :mod:`summarizer.config`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import config, errors

__all__ = [
    "Settings",
    "cache_dir",
    "local_base_url",
    "local_port",
    "redact",
    "resolve_settings",
    "secret_values",
    "tuning",
]



def local_port() -> int:
    """The bundled local server's port: ``SUMMARIZER_LOCAL_PORT``, else 8080."""
    raw = os.environ.get("SUMMARIZER_LOCAL_PORT", "").strip() or str(config.LOCAL_PORT)
    try:
        port = int(raw)
    except ValueError:
        raise errors.ConfigError(f"SUMMARIZER_LOCAL_PORT must be a port number (got {raw!r})") from None
    if not 0 < port < 65536:
        raise errors.ConfigError(f"SUMMARIZER_LOCAL_PORT must be between 1 and 65535 (got {port})")
    return port


def local_base_url(port: int | None = None) -> str:
    """The bundled local server's OpenAI-compatible base URL."""
    return f"http://{config.LOCAL_HOST}:{local_port() if port is None else port}/v1"


@dataclass(frozen=True)
class Settings:
    """Where and how to call the model. Build with :func:`resolve_settings`."""

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    local: bool = False
    #: Whether a document's claim scores may go as one list of prompts in one call (llama-server's
    #: ``/completion``; :mod:`summarizer.llm.prompt_lists`). On for the bundled local server.
    prompt_lists: bool = False
    azure_endpoint: str | None = None
    api_version: str | None = None
    max_retries: int = field(default_factory=lambda: config.MAX_TRANSPORT_RETRIES)
    #: Seconds for one request (see summarizer.llm.limits).
    timeout: float = field(default_factory=lambda: config.REQUEST_TIMEOUT)
    #: Seconds for one document, all its calls included.
    deadline: float = field(default_factory=lambda: config.DOCUMENT_DEADLINE)
    temperature: float = field(default_factory=lambda: config.TEMPERATURE)
    #: Why this endpoint: which argument or environment variable chose it (said when it is first used).
    origin: str = ""

    @property
    def endpoint(self) -> str:
        return self.azure_endpoint or self.base_url or "https://api.openai.com/v1"


def resolve_settings(
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    *,
    timeout: float | None = None,
    deadline: float | None = None,
    max_retries: int | None = None,
    temperature: float | None = None,
    prompt_lists: bool | None = None,
) -> Settings:
    """Settings from arguments, then the standard environment variables.

    ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` for OpenAI and compatible servers; ``AZURE_OPENAI_API_KEY``,
    ``AZURE_OPENAI_ENDPOINT`` and ``OPENAI_API_VERSION`` for Azure OpenAI (``model`` is then the
    deployment name). With no key and no base URL at all, the bundled local server is used.
    ``timeout`` (seconds, one request) and ``deadline`` (seconds, one document) come from the arguments,
    then ``SUMMARIZER_TIMEOUT`` / ``SUMMARIZER_DEADLINE``, then :mod:`summarizer.config` (longer for the
    local server); ``max_retries`` (the SDK's transport retries) and ``temperature`` from the arguments,
    then config. ``prompt_lists`` (a document's scoring prompts in one call, for a llama-server) from the
    argument, then ``SUMMARIZER_PROMPT_LISTS`` (1 or 0), then on for the bundled local server only.
    """
    endpoint = _endpoint(model, base_url, api_key)
    env = os.environ
    if timeout is None and env.get("SUMMARIZER_TIMEOUT", "").strip():
        timeout = _env_seconds("SUMMARIZER_TIMEOUT")
    if deadline is None and env.get("SUMMARIZER_DEADLINE", "").strip():
        deadline = _env_seconds("SUMMARIZER_DEADLINE")
    fields = tuning(timeout=timeout, deadline=deadline, max_retries=max_retries, temperature=temperature)
    if prompt_lists is None and env.get("SUMMARIZER_PROMPT_LISTS", "").strip():
        prompt_lists = _env_switch("SUMMARIZER_PROMPT_LISTS")
    if prompt_lists is not None:
        fields["prompt_lists"] = bool(prompt_lists)
    return replace(endpoint, **fields)


def _env_switch(name: str) -> bool:
    raw = os.environ[name].strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise errors.ConfigError(f"{name} must be 1 or 0 (got {os.environ[name]!r})")


def _env_seconds(name: str) -> float:
    raw = os.environ[name].strip()
    try:
        return float(raw)
    except ValueError:
        raise errors.ConfigError(f"{name} must be a number of seconds (got {raw!r})") from None


def tuning(
    *,
    timeout: float | None = None,
    deadline: float | None = None,
    max_retries: int | None = None,
    temperature: float | None = None,
) -> dict[str, Any]:
    """The :class:`Settings` fields given (None: not given), each checked: a :class:`ConfigError` names a
    bad one (a timeout that is not a positive finite number of seconds, ...)."""
    fields: dict[str, Any] = {}
    if timeout is not None:
        fields["timeout"] = _positive("timeout", timeout)
    if deadline is not None:
        fields["deadline"] = _positive("deadline", deadline)
    if max_retries is not None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise errors.ConfigError(f"max_retries must be a whole number, 0 or more (got {max_retries!r})")
        fields["max_retries"] = max_retries
    if temperature is not None:
        if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and 0 <= temperature <= 2):
            raise errors.ConfigError(f"temperature must be between 0 and 2 (got {temperature!r})")
        fields["temperature"] = float(temperature)
    return fields


def _endpoint(model: str | None, base_url: str | None, api_key: str | None) -> Settings:
    env = os.environ
    origin = "the base_url given" if base_url else "OPENAI_BASE_URL" if env.get("OPENAI_BASE_URL") else ""
    base_url = base_url or env.get("OPENAI_BASE_URL") or None
    api_key = api_key or env.get("OPENAI_API_KEY") or None
    azure_endpoint = env.get("AZURE_OPENAI_ENDPOINT")
    azure_key = env.get("AZURE_OPENAI_API_KEY")
    if azure_endpoint and (azure_key or api_key) and not base_url:
        if not model:
            raise errors.ConfigError("Azure OpenAI needs --model set to the deployment name")
        return Settings(
            model=model,
            api_key=azure_key or api_key,
            azure_endpoint=azure_endpoint,
            api_version=env.get("OPENAI_API_VERSION", "2024-10-21"),
            origin="AZURE_OPENAI_ENDPOINT",
        )
    if api_key is None and base_url is None:
        return Settings(
            model=model or config.LOCAL_MODEL,
            base_url=local_base_url(),
            api_key=config.LOCAL_API_KEY,
            local=True,
            prompt_lists=True,
            timeout=config.LOCAL_REQUEST_TIMEOUT,
            deadline=config.LOCAL_DOCUMENT_DEADLINE,
            origin="no OPENAI_API_KEY, OPENAI_BASE_URL or AZURE_OPENAI_ENDPOINT is set, so the bundled local "
            "model server is used (`summarizer local setup|start`; SUMMARIZER_LOCAL_PORT moves it)",
        )
    if api_key is None:  # an OpenAI-compatible server that needs no key
        api_key = config.LOCAL_API_KEY
    on_this_machine = base_url is not None and _is_loopback(base_url)
    return Settings(
        model=model or config.DEFAULT_OPENAI_MODEL,
        base_url=base_url,
        api_key=api_key,
        origin=origin or "OPENAI_API_KEY (the OpenAI API)",
        # a server on this machine is a local model, as slow as the bundled one
        timeout=config.LOCAL_REQUEST_TIMEOUT if on_this_machine else config.REQUEST_TIMEOUT,
        deadline=config.LOCAL_DOCUMENT_DEADLINE if on_this_machine else config.DOCUMENT_DEADLINE,
    )


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host == "localhost" or host == "::1" or host.startswith("127.")


def _positive(name: str, value: float) -> float:
    """A number of seconds: finite and above zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise errors.ConfigError(f"{name} must be a number of seconds above 0 (got {value!r})")
    return float(value)


def cache_dir() -> Path:
    """Where the local model runtime and weights are kept (``SUMMARIZER_CACHE_DIR`` overrides)."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "summarizer"


def secret_values() -> list[str]:
    """The values of the ``*API_KEY`` environment variables (8 characters or more): never to be logged."""
    return [v for k, v in os.environ.items() if k.endswith("API_KEY") and len(v) >= 8]


#: Anything shaped like an OpenAI key or a bearer token.
_SECRET_SHAPES = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9_\-.]{8,})")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret replaced by ``[redacted]``: the given ``secrets`` and the API keys of the
    environment (8 characters or more), then anything shaped like a key or a bearer token."""
    for secret in (*secrets, *secret_values()):
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return _SECRET_SHAPES.sub("[redacted]", text)
