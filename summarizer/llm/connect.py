"""A model endpoint configured once, in code: :class:`Client`, and the one rule that turns what a caller
passes (a :class:`Client`, an ``openai`` client, ``model``/``base_url``/``api_key``, or nothing) into the
:class:`~summarizer.llm.client.LLM` or :class:`~summarizer.llm.client.AsyncLLM` that makes the calls
(:func:`llm_for`, :func:`async_llm_for`). :func:`summarizer.summarize`, :func:`summarizer.check` and their
async twins all take ``client=`` through these two functions.

::

    from summarizer import Client, check, summarize

    client = Client("gpt-4o-mini", timeout=60, max_retries=2)   # or Client(openai_client=openai.OpenAI())
    summary = summarize(text, client=client)
    report = check(text, claims, client=client)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

from .. import config
from ..errors import ConfigError
from ..settings import Settings, resolve_settings, tuning
from .client import LLM, AsyncLLM

if TYPE_CHECKING:
    import openai

__all__ = ["Client", "ClientLike", "async_llm_for", "llm_for"]


class Client:
    """Where and how to call the model, reusable across documents and across sync and async calls.

    ``model``, ``base_url``, ``api_key``: as on the command line; what is not given comes from the
    environment (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, Azure's variables), and with none of them the
    bundled local server is used. ``timeout``: seconds for one request; ``deadline``: seconds for one
    document, all its calls included (see :mod:`summarizer.llm.limits`); ``max_retries``: the SDK's
    transport retries (429, 5xx, timeouts); ``temperature``; ``prompt_lists``: score a document's claims
    in one call to a llama-server (:mod:`summarizer.llm.prompt_lists`; default: on for the bundled
    server only, or ``SUMMARIZER_PROMPT_LISTS``). Or pass ``openai_client``, an
    ``openai.OpenAI``/``AzureOpenAI`` or ``openai.AsyncOpenAI``/``AsyncAzureOpenAI`` you made: it is used
    as it is (its key, endpoint, retries and HTTP client), and ``model`` names the model (default
    ``gpt-4o-mini``); the other flavour, when a call needs it (``summarize`` with an ``AsyncOpenAI``), is
    made with the same key, endpoint, organisation, project, timeout and retries (not for Azure). The
    clients are built on first use and kept; ``close()`` closes the ones this Client built.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
        temperature: float | None = None,
        prompt_lists: bool | None = None,
        openai_client: Any = None,
    ) -> None:
        self._sync: LLM | None = None
        self._async: AsyncLLM | None = None
        self._given: Any = openai_client
        if openai_client is None:
            self.settings = resolve_settings(
                model,
                base_url,
                api_key,
                timeout=timeout,
                deadline=deadline,
                max_retries=max_retries,
                temperature=temperature,
                prompt_lists=prompt_lists,
            )
            return
        import openai

        if not isinstance(openai_client, (openai.OpenAI, openai.AsyncOpenAI)):
            raise ConfigError(
                f"openai_client must be an openai.OpenAI or openai.AsyncOpenAI (got {type(openai_client).__name__})"
            )
        if base_url is not None or api_key is not None:
            raise ConfigError("give base_url and api_key to the openai client, not beside it")
        given_timeout = openai_client.timeout if isinstance(openai_client.timeout, (int, float)) else None
        self.settings = Settings(
            model=model or config.DEFAULT_OPENAI_MODEL,
            base_url=str(openai_client.base_url),
            origin="the openai client given",
            prompt_lists=bool(prompt_lists),
            **tuning(
                timeout=given_timeout if timeout is None else timeout,
                deadline=deadline,
                max_retries=openai_client.max_retries if max_retries is None else max_retries,
                temperature=temperature,
            ),
        )

    def __repr__(self) -> str:
        return f"Client(model={self.settings.model!r}, endpoint={self.settings.endpoint!r})"

    @property
    def llm(self) -> LLM:
        """The synchronous client (made on first use)."""
        if self._sync is None:
            import openai

            given = self._given
            if given is not None and not isinstance(given, openai.OpenAI):
                given = _twin(given, openai.OpenAI)
            self._sync = LLM(self.settings, sdk_client=given)
        return self._sync

    @property
    def async_llm(self) -> AsyncLLM:
        """The asynchronous client (made on first use)."""
        if self._async is None:
            import openai

            given = self._given
            if given is not None and not isinstance(given, openai.AsyncOpenAI):
                given = _twin(given, openai.AsyncOpenAI)
            self._async = AsyncLLM(self.settings, sdk_client=given)
        return self._async

    def close(self) -> None:
        """Close the synchronous SDK client this Client built (one given to it is the caller's to close)."""
        if self._sync is not None and self._given is None and self._sync._client is not None:
            self._sync._client.close()
            self._sync._client = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _twin(given: Any, flavour: type[Any]) -> Any:
    """An ``openai`` client of the other flavour (sync or async) with the same settings as ``given``."""
    import openai

    if isinstance(given, (openai.AzureOpenAI, openai.AsyncAzureOpenAI)):
        raise ConfigError(
            f"this Client wraps an {type(given).__name__}; for the other kind of call give it an "
            f"openai.{flavour.__name__} too (make a Client of each)"
        )
    return flavour(
        api_key=given.api_key,
        organization=given.organization,
        project=given.project,
        base_url=given.base_url,
        timeout=given.timeout,
        max_retries=given.max_retries,
    )


#: What ``client=`` takes: a :class:`Client`, a model client of this package, or an ``openai`` client.
ClientLike = Union[Client, LLM, AsyncLLM, "openai.OpenAI", "openai.AsyncOpenAI"]


def _as_client(
    client: Any, model: str | None, base_url: str | None, api_key: str | None
) -> Client | LLM | AsyncLLM:
    if client is None:
        return Client(model, base_url=base_url, api_key=api_key)
    if model is not None or base_url is not None or api_key is not None:
        raise ConfigError("give model, base_url and api_key to the Client, not beside client=")
    if isinstance(client, (Client, LLM, AsyncLLM)):
        return client
    return Client(openai_client=client)


def llm_for(
    client: ClientLike | None = None,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
) -> LLM:
    """The synchronous model client for what a caller passed: ``client`` (a :class:`Client`, an
    :class:`LLM`, or an ``openai.OpenAI``), else ``model``/``base_url``/``api_key`` and the environment."""
    resolved = _as_client(client, model, base_url, api_key)
    if isinstance(resolved, AsyncLLM):
        raise ConfigError("an AsyncLLM is for asummarize/acheck; pass a Client to use both")
    return resolved if isinstance(resolved, LLM) else resolved.llm


def async_llm_for(
    client: ClientLike | None = None,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
) -> AsyncLLM:
    """The asynchronous twin of :func:`llm_for` (``client`` may be an ``openai.AsyncOpenAI``)."""
    resolved = _as_client(client, model, base_url, api_key)
    if isinstance(resolved, LLM):
        raise ConfigError("an LLM is for summarize/check; pass a Client to use both")
    return resolved if isinstance(resolved, AsyncLLM) else resolved.async_llm
