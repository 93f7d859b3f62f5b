"""The one place that talks to the model API.

* Clients: built from :class:`~summarizer.settings.Settings` (which endpoint, key and model; see
  :mod:`summarizer.settings`).
* Structured output: strict ``json_schema`` first; when the server rejects it, ``json_object`` with the
  schema in the prompt; then plain text parsed as JSON. A client remembers the mode its server took.
* Validation and re-ask: every answer is validated with pydantic; a failing one is re-asked with the
  error, at most ``config.MAX_REASKS`` times. The prompt never grows past one failed answer.
* Transport retries (429, 5xx, timeouts, connection errors) are the SDK's, which honours Retry-After;
  nothing here retries them again.
* Errors: every SDK error and every bad finish is mapped to one exception of :mod:`summarizer.errors`
  (the SDK's errors by :mod:`summarizer.llm.error_map`).
* Usage: tokens of every attempt are summed into the caller's :class:`~summarizer.types.Usage`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, cast

from pydantic import BaseModel, ValidationError

from .. import activity, config, errors, turns
from ..settings import Settings
from ..types import Usage
from . import limits
from .drafts import strict_json_schema
from .error_map import _rejects_response_format, excerpt, map_error
from .logprobs import LogprobAnswer

if TYPE_CHECKING:
    import httpx2
    import openai
    from openai.types.chat import ChatCompletion

__all__ = ["LLM", "AsyncLLM", "LogprobAnswer"]

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

MODES = ("json_schema", "json_object", "text")


def _build_client(settings: Settings, http_client: Any, *, asynchronous: bool) -> Any:
    """The SDK client for ``settings``: OpenAI or Azure OpenAI, sync or async; retries are the SDK's. Its
    HTTP client (``http_client``, or the SDK's default one) carries the deadline's hooks
    (:mod:`summarizer.llm.limits`)."""
    import openai

    _say_where(settings)
    if http_client is None:
        http_client = openai.DefaultAsyncHttpxClient() if asynchronous else openai.DefaultHttpxClient()
    kwargs: dict[str, Any] = {
        "api_key": settings.api_key,
        "max_retries": settings.max_retries,
        "timeout": settings.timeout,
        "http_client": limits.add_hooks(http_client, asynchronous=asynchronous),
    }
    if settings.azure_endpoint:
        azure = openai.AsyncAzureOpenAI if asynchronous else openai.AzureOpenAI
        return azure(azure_endpoint=settings.azure_endpoint, api_version=settings.api_version, **kwargs)
    plain = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    return plain(base_url=settings.base_url, **kwargs)


_said: set[str] = set()


def _say_where(settings: Settings) -> None:
    """Which endpoint is called and why, once per endpoint: a warning (on stderr) for the bundled local
    server, which is used when nothing else is configured; at -v for any other."""
    if settings.endpoint in _said:
        return
    _said.add(settings.endpoint)
    level = logging.WARNING if settings.local else logging.INFO
    why = f": {settings.origin}" if settings.origin else ""
    log.log(level, "calling the model %s at %s%s", settings.model, settings.endpoint, why)


# --- one structured call: request building and answer interpretation, shared by sync and async -------


@dataclass
class _Call(Generic[T]):
    """The state of one structured call across its attempts: mode, re-asks and usage."""

    settings: Settings
    messages: list[dict[str, str]]
    output: type[T]
    schema_name: str
    usage: Usage
    max_tokens: int
    mode: str = "json_schema"
    reasks: int = 0
    last_failure: tuple[str, str] | None = None  # (bad answer, error) of the previous attempt

    def __post_init__(self) -> None:
        self.schema = strict_json_schema(self.output)

    def request(self) -> dict[str, Any]:
        messages = [dict(m) for m in self.messages]
        if self.mode != "json_schema":
            messages[-1]["content"] += (
                "\n\nAnswer with one JSON object only, no prose, matching this JSON Schema:\n"
                + json.dumps(self.schema, separators=(",", ":"))
            )
        if self.last_failure is not None:
            answer, error = self.last_failure
            messages.append({"role": "assistant", "content": answer[:4000]})
            messages.append(
                {
                    "role": "user",
                    "content": f"That answer is not valid: {error}\nAnswer again with the corrected JSON object only.",
                }
            )
        # The messages and the schema go in extra_body, which the SDK merges into the JSON body as is:
        # the same JSON on the wire, without the SDK walking them through its parameter transform on
        # every call (about 2 ms of CPU per call for the schema, 0.5 ms for the messages).
        body: dict[str, Any] = {"messages": messages}
        kwargs: dict[str, Any] = {"model": self.settings.model, "messages": [], "extra_body": body}
        if _is_reasoning_model(self.settings.model):  # they take no temperature and no max_tokens
            kwargs["max_completion_tokens"] = self.max_tokens
        else:
            kwargs["temperature"] = self.settings.temperature
            kwargs["max_tokens"] = self.max_tokens
        if self.mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": self.schema_name, "strict": True, "schema": self.schema},
            }
        elif self.mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def on_error(self, exc: Exception) -> None:
        """Switch to a weaker structured-output mode if the server rejected this one; else raise."""
        import openai

        if isinstance(exc, openai.BadRequestError) and _rejects_response_format(exc) and self.mode != "text":
            nxt = MODES[MODES.index(self.mode) + 1]
            log.info("server rejected response_format %s; falling back to %s", self.mode, nxt)
            self.mode = nxt
            return
        _reraise(exc, self.settings)

    def on_response(self, response: ChatCompletion) -> T | None:
        """The validated answer, or None when it must be re-asked. Raises on a final failure."""
        from openai.types.chat import ChatCompletion

        if not isinstance(response, ChatCompletion):  # e.g. an HTML page from a proxy or a web UI
            raise errors.APIError(
                f"the server's answer is not a chat completion: {excerpt(str(response), 80)}"
            )
        if response.usage is not None:
            self.usage.add(response.usage.prompt_tokens, response.usage.completion_tokens)
        else:
            self.usage.add(0, 0)
        if not response.choices:
            error = (response.model_extra or {}).get("error")
            detail = f": {excerpt(str(error))}" if error else ""
            raise errors.APIError(f"the server returned no choices{detail}")
        choice = response.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if refusal:
            raise errors.RefusalError(f"the model refused: {excerpt(refusal)}")
        if choice.finish_reason == "content_filter":
            raise errors.RefusalError("the provider's content filter stopped the answer")
        if choice.finish_reason == "length":
            raise errors.TruncatedOutputError(
                f"the answer was cut off at the token limit ({self.max_tokens} tokens); the JSON is incomplete"
            )
        content = choice.message.content or ""
        try:
            return self.output.model_validate(parse_json(content))
        except (ValueError, ValidationError) as exc:
            error = _describe(exc)
            if self.reasks >= config.MAX_REASKS:
                raise errors.InvalidOutputError(
                    f"the answer failed validation after {self.reasks + 1} attempts: {error}"
                ) from exc
            self.reasks += 1
            log.info(
                "answer failed validation (%s); re-asking (%d/%d)", error, self.reasks, config.MAX_REASKS
            )
            self.last_failure = (content, error)
            return None


def _reraise(exc: Exception, settings: Settings) -> NoReturn:
    """Raise the library's error for ``exc``; a programming error (not a failure of the model or of the
    transport) propagates as it is."""
    mapped = map_error(exc, settings.endpoint)
    if mapped is None:
        raise exc
    if settings.local and type(mapped) is errors.ConnectionFailedError:
        mapped = errors.ConnectionFailedError(
            f"{mapped.message}; no model endpoint is configured, and the bundled local server does not "
            "answer: start it (`summarizer local start`), or set OPENAI_API_KEY / OPENAI_BASE_URL"
        )
    raise mapped from exc


def _is_reasoning_model(model: str) -> bool:
    return re.match(r"^(o\d|gpt-5)", model.lower().split("/")[-1]) is not None


def parse_json(content: str) -> Any:
    """JSON from a model answer: as is, or inside a code fence, or the outermost {...} in prose."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            return json.loads(text[start : end + 1])
        raise


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]]
        return "; ".join(parts)
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at char {exc.pos})"
    return excerpt(str(exc))


# --- a plain-text call: for baselines such as a yes/no prompt ----------------------------------------


@dataclass
class _TextCall:
    """One plain-text call (no structured output, no validation): request and answer, for both clients."""

    settings: Settings
    messages: list[dict[str, str]]
    usage: Usage
    max_tokens: int

    def request(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.settings.model, "messages": self.messages}
        if _is_reasoning_model(self.settings.model):
            kwargs["max_completion_tokens"] = self.max_tokens
        else:
            kwargs.update(temperature=self.settings.temperature, max_tokens=self.max_tokens)
        return kwargs

    def on_error(self, exc: Exception) -> NoReturn:
        _reraise(exc, self.settings)

    def on_response(self, response: ChatCompletion) -> str:
        if response.usage is not None:
            self.usage.add(response.usage.prompt_tokens, response.usage.completion_tokens)
        return (response.choices[0].message.content or "") if response.choices else ""


# --- clients ----------------------------------------------------------------------------------------


class _Client:
    """What both clients share: settings, the SDK client built on first use, the structured-output mode
    the server accepted last, and :meth:`prepare`. The request and the reading of each answer are the
    calls' (:class:`_Call`, :class:`_TextCall`); a client only sends them, sync or async."""

    _asynchronous = False

    def __init__(self, settings: Settings, *, http_client: Any = None, sdk_client: Any = None) -> None:
        self.settings = settings
        self._http_client = http_client
        self._client: Any = sdk_client  # an openai client the caller made, else built on first use
        #: The structured-output mode the server accepted last (see MODES); starts with the strongest.
        self.mode = MODES[0]
        #: Whether the server returns log-probabilities (None: not asked yet).
        self.supports_logprobs: bool | None = None
        #: Whether the server answers a list of prompts in one call (None: not asked yet; see
        #: :mod:`summarizer.llm.prompt_lists`), and the chat templates it rendered for them.
        self.supports_prompt_lists: bool | None = None
        self._templates: dict[tuple[str, ...], Any] = {}

    def _sdk(self) -> Any:
        if self._client is None:
            self._client = _build_client(self.settings, self._http_client, asynchronous=self._asynchronous)
        return self._client

    def prepare(self, *outputs: type[BaseModel]) -> None:
        """Do now the one-time work of a first call: build the client, import the SDK's chat resource and
        response types (lazy in the SDK, ~0.15 s), build the strict schemas of ``outputs``.

        A batch calls this before its threads start, so the first wave does not wait on imports.
        """
        from openai.types.chat import ChatCompletion

        _ = self._sdk().chat.completions
        ChatCompletion.model_construct(  # the SDK builds its response types' parsers on first use
            id="",
            object="chat.completion",
            created=0,
            model="",
            choices=[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": ""}}],
            usage={"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        )
        for output in outputs:
            strict_json_schema(output)

    def _report(self, request: dict[str, Any]) -> None:
        """Say (to a status line, if one listens) that a prompt is sent and its answer awaited."""
        messages = request.get("extra_body", {}).get("messages") or request.get("messages") or []
        size = sum(len(m.get("content") or "") for m in messages)
        activity.report(f"waiting for {self.settings.model}'s answer to a {size:,}-character prompt")

    def _lists_for(self, conversations: list[list[dict[str, str]]]) -> bool:
        """Whether ``conversations`` go to the server as one list of prompts (:mod:`.prompt_lists`)."""
        from . import logprobs, prompt_lists

        return (
            len(conversations) > 1
            and self.settings.prompt_lists
            and self.supports_prompt_lists is not False
            and self.supports_logprobs is not False
            and logprobs.offers_logprobs(self.settings.model)
            and prompt_lists.roles_of(conversations) is not None
        )

    def _no_lists(self, exc: Exception) -> bool:
        """Whether ``exc`` says this server takes no prompt lists; then it is remembered (and logged), and
        the prompts go through the chat endpoint one by one."""
        import openai

        refused = isinstance(exc, (openai.NotFoundError, openai.BadRequestError, openai.UnprocessableEntityError))
        refused = refused or (isinstance(exc, openai.APIStatusError) and exc.status_code in (405, 501))
        if not refused and not isinstance(exc, errors.APIError):  # APIError: an answer of the wrong shape
            return False
        log.info("the server at %s takes no prompt lists (%s): one call per prompt", self.settings.endpoint, exc)
        self.supports_prompt_lists = False
        return True

    def _lists_answered(self, answers: list[LogprobAnswer | None]) -> list[LogprobAnswer | None]:
        self.supports_prompt_lists = True
        self.supports_logprobs = any(a is not None for a in answers)
        return answers

    def _limits(self) -> limits.Limits:
        s = self.settings
        return limits.Limits.now(s.timeout, s.deadline, s.endpoint)

    def _timed_out(self, exc: Exception, bounds: limits.Limits) -> None:
        """Raise the :class:`~summarizer.errors.TimedOutError` that says which limit ``exc`` hit, if any."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            url = str(exc.request.url) if getattr(exc, "request", None) is not None else self.settings.endpoint
            raise bounds.timeout_error(url, self.settings.max_retries + 1) from exc
        if isinstance(exc, openai.APIConnectionError) and bounds.passed():
            raise bounds.deadline_error() from exc

    def _structured_call(
        self, messages: list[dict[str, str]], output: type[T], schema_name: str, usage: Usage, max_tokens: int
    ) -> _Call[T]:
        return _Call(self.settings, messages, output, schema_name, usage, max_tokens, mode=self.mode)


class LLM(_Client):
    """A synchronous model client. ``http_client`` lets tests inject a transport; ``sdk_client`` is an
    ``openai.OpenAI`` (or ``AzureOpenAI``) the caller made, used as it is (see :class:`summarizer.Client`)."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx2.Client | None = None,
        sdk_client: openai.OpenAI | None = None,
    ) -> None:
        super().__init__(settings, http_client=http_client, sdk_client=sdk_client)

    @property
    def client(self) -> openai.OpenAI:
        return cast("openai.OpenAI", self._sdk())

    def _send(self, request: dict[str, Any]) -> Any:
        bounds = self._limits()
        self._report(request)
        with bounds.active(), turns.waiting():  # a batch worker gives way to the others meanwhile
            try:
                return self.client.chat.completions.create(**request, timeout=bounds.request_timeout())
            except Exception as exc:
                self._timed_out(exc, bounds)
                raise

    def _post(self, url: str, body: dict[str, Any]) -> Any:
        """POST ``body`` to ``url`` (a server's own endpoint, beside the OpenAI ones) with the SDK's
        retries and this client's limits; the parsed JSON answer."""
        bounds = self._limits()
        activity.report(f"waiting for {self.settings.model}'s answers at {url}")
        with bounds.active(), turns.waiting():
            try:
                return self.client.post(url, cast_to=object, body=body, options={"timeout": bounds.request_timeout()})
            except Exception as exc:
                self._timed_out(exc, bounds)
                raise

    def text(self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int) -> str:
        """A plain-text answer (no structured output, no validation): for baselines such as yes/no."""
        call = _TextCall(self.settings, messages, usage, max_tokens)
        try:
            response = self._send(call.request())
        except Exception as exc:
            call.on_error(exc)
        return call.on_response(response)

    def logprobs(self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int) -> LogprobAnswer | None:
        """A short answer with its tokens' log-probabilities (see :mod:`summarizer.llm.logprobs`); None when
        this server or model offers none, remembered so later calls do not ask again."""
        from . import logprobs

        if self.supports_logprobs is False or not logprobs.offers_logprobs(self.settings.model):
            return None
        try:
            response = self._send(logprobs.request(self.settings, messages, max_tokens=max_tokens))
        except Exception as exc:
            if logprobs.rejects_logprobs(exc):
                self.supports_logprobs = False
                return None
            _reraise(exc, self.settings)
        answer = logprobs.read_response(response, usage)
        self.supports_logprobs = answer is not None
        return answer

    def logprobs_many(
        self, conversations: list[list[dict[str, str]]], *, usage: Usage, max_tokens: list[int]
    ) -> list[LogprobAnswer | None]:
        """:meth:`logprobs` for each of ``conversations`` (``max_tokens`` each), each answered independently:
        in one call to a server that takes prompt lists (``Settings.prompt_lists``,
        :mod:`summarizer.llm.prompt_lists`; room for the longest answer), else one call each."""
        if self._lists_for(conversations):
            from . import prompt_lists

            plan = prompt_lists.plan(self.settings, conversations, self._templates, usage, max_tokens=max(max_tokens))
            try:
                request = next(plan)
                while True:
                    request = plan.send(self._post(*request))
            except StopIteration as done:
                return self._lists_answered(done.value)
            except Exception as exc:
                if not self._no_lists(exc):
                    _reraise(exc, self.settings)
        return [self.logprobs(c, usage=usage, max_tokens=m) for c, m in zip(conversations, max_tokens, strict=True)]

    def structured(
        self,
        messages: list[dict[str, str]],
        output: type[T],
        *,
        schema_name: str,
        usage: Usage,
        max_tokens: int,
    ) -> tuple[T, str]:
        """Ask for a JSON answer shaped as ``output``; return it with the mode the server accepted."""
        call = self._structured_call(messages, output, schema_name, usage, max_tokens)
        while True:
            try:
                response = self._send(call.request())
            except Exception as exc:
                call.on_error(exc)
                continue
            self.mode = call.mode  # remember what this server accepts for the next call
            value = call.on_response(response)
            if value is not None:
                return value, call.mode


class AsyncLLM(_Client):
    """The asynchronous twin of :class:`LLM`: the same calls, the same requests, awaited."""

    _asynchronous = True

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx2.AsyncClient | None = None,
        sdk_client: openai.AsyncOpenAI | None = None,
    ) -> None:
        super().__init__(settings, http_client=http_client, sdk_client=sdk_client)

    @property
    def client(self) -> openai.AsyncOpenAI:
        return cast("openai.AsyncOpenAI", self._sdk())

    async def _send(self, request: dict[str, Any]) -> Any:
        import asyncio

        bounds = self._limits()
        self._report(request)
        with bounds.active():
            call = self.client.chat.completions.create(**request, timeout=bounds.request_timeout())
            try:  # the deadline bounds the whole call here, a slowly dripping answer included
                return await asyncio.wait_for(call, timeout=max(bounds.remaining(), 0.001))
            except asyncio.TimeoutError:
                raise bounds.deadline_error() from None
            except Exception as exc:
                self._timed_out(exc, bounds)
                raise

    async def _post(self, url: str, body: dict[str, Any]) -> Any:
        """The asynchronous twin of :meth:`LLM._post`."""
        import asyncio

        bounds = self._limits()
        activity.report(f"waiting for {self.settings.model}'s answers at {url}")
        with bounds.active():
            call = self.client.post(url, cast_to=object, body=body, options={"timeout": bounds.request_timeout()})
            try:
                return await asyncio.wait_for(call, timeout=max(bounds.remaining(), 0.001))
            except asyncio.TimeoutError:
                raise bounds.deadline_error() from None
            except Exception as exc:
                self._timed_out(exc, bounds)
                raise

    async def text(self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int) -> str:
        """A plain-text answer (no structured output, no validation): for baselines such as yes/no."""
        call = _TextCall(self.settings, messages, usage, max_tokens)
        try:
            response = await self._send(call.request())
        except Exception as exc:
            call.on_error(exc)
        return call.on_response(response)

    async def logprobs(
        self, messages: list[dict[str, str]], *, usage: Usage, max_tokens: int
    ) -> LogprobAnswer | None:
        """The asynchronous twin of :meth:`LLM.logprobs`."""
        from . import logprobs

        if self.supports_logprobs is False or not logprobs.offers_logprobs(self.settings.model):
            return None
        try:
            response = await self._send(logprobs.request(self.settings, messages, max_tokens=max_tokens))
        except Exception as exc:
            if logprobs.rejects_logprobs(exc):
                self.supports_logprobs = False
                return None
            _reraise(exc, self.settings)
        answer = logprobs.read_response(response, usage)
        self.supports_logprobs = answer is not None
        return answer

    async def logprobs_many(
        self, conversations: list[list[dict[str, str]]], *, usage: Usage, max_tokens: list[int]
    ) -> list[LogprobAnswer | None]:
        """The asynchronous twin of :meth:`LLM.logprobs_many`."""
        if self._lists_for(conversations):
            from . import prompt_lists

            plan = prompt_lists.plan(self.settings, conversations, self._templates, usage, max_tokens=max(max_tokens))
            try:
                request = next(plan)
                while True:
                    request = plan.send(await self._post(*request))
            except StopIteration as done:
                return self._lists_answered(done.value)
            except Exception as exc:
                if not self._no_lists(exc):
                    _reraise(exc, self.settings)
        pairs = zip(conversations, max_tokens, strict=True)
        return [await self.logprobs(c, usage=usage, max_tokens=m) for c, m in pairs]

    async def structured(
        self,
        messages: list[dict[str, str]],
        output: type[T],
        *,
        schema_name: str,
        usage: Usage,
        max_tokens: int,
    ) -> tuple[T, str]:
        """Ask for a JSON answer shaped as ``output``; return it with the mode the server accepted."""
        call = self._structured_call(messages, output, schema_name, usage, max_tokens)
        while True:
            try:
                response = await self._send(call.request())
            except Exception as exc:
                call.on_error(exc)
                continue
            self.mode = call.mode
            value = call.on_response(response)
            if value is not None:
                return value, call.mode
