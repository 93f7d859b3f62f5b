"""The Batch API's file formats, built and read with the online path's own code.

* A request's **body** is what the online path sends for the same call, byte for byte: the keyword
  arguments come from the client's request building (:meth:`summarizer.llm.client._Call.request`) and
  the bytes from the openai SDK's own request building (:class:`BodyEncoder` runs ``chat.completions.create``
  against a transport that keeps the request instead of sending it).
* A request's **custom_id** is a hash of those keyword arguments (:func:`request_id`): the same call gets
  the same id whichever document, round or run asks for it, so an answer is found again by asking the same
  question, and two documents that ask the same question share one request.
* A **request line** (:func:`request_line`) is ``{"custom_id", "method": "POST", "url":
  "/v1/chat/completions", "body"}``, the format of OpenAI's batch input files (and of vLLM's ``run-batch``).
* An **output line** (:func:`parse_output_line`, :func:`output_line`) is ``{"id", "custom_id", "response":
  {"status_code", "request_id", "body"}, "error"}``, the format of the batch output and error files;
  :class:`Answer` turns one back into what the SDK would have returned online (a ``ChatCompletion``, or
  the SDK's ``APIStatusError`` for the status), so the client's answer reading takes it from there.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ... import config

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion

__all__ = [
    "Answer",
    "BodyEncoder",
    "output_line",
    "parse_output_line",
    "parse_request_line",
    "request_id",
    "request_line",
]

#: Error codes of a batch output line that mean "not run" (nothing was paid for it): run it again.
NOT_RUN_CODES = frozenset({"batch_expired", "batch_cancelled", "request_timeout", "connection_error"})


def request_id(kwargs: dict[str, Any]) -> str:
    """The custom_id of a call: a hash of its keyword arguments (model, messages, schema, limits)."""
    canonical = json.dumps(kwargs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def request_line(custom_id: str, body: bytes) -> bytes:
    """One line of a batch input file (``body``: the JSON bytes the online path sends), with its newline."""
    head = json.dumps(
        {"custom_id": custom_id, "method": "POST", "url": config.BATCH_ENDPOINT}, separators=(",", ":")
    )
    return head[:-1].encode("utf-8") + b',"body":' + body + b"}\n"


def parse_request_line(raw: bytes | str) -> tuple[str, dict[str, Any]]:
    """A request line's custom_id and body; a ValueError saying why for a line that is not one."""
    try:
        record = json.loads(raw)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    custom_id = record.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        raise ValueError("no custom_id")
    if not isinstance(record.get("body"), dict):
        raise ValueError(f"request {custom_id}: no body")
    return custom_id, record["body"]


class _Built(BaseException):
    """Carries a request the SDK built out of the client before anything is sent (a BaseException, so
    the SDK does not take it for a connection failure to retry or wrap)."""

    def __init__(self, body: bytes) -> None:
        super().__init__("request built")
        self.body = body


class BodyEncoder:
    """The JSON bytes the openai SDK sends for ``chat.completions.create(**kwargs)``.

    The SDK builds them: its client's request hook takes the finished request and stops it there, so
    nothing is sent and no transport (nor an HTTP mock or recorder) is involved. That costs about 0.5 ms a
    body, so for each shape of request (its parameter names) the SDK's bytes are also rebuilt here the way
    the SDK encodes a body (its keys in its order, ``extra_body`` merged in, compact UTF-8 JSON); when the
    two agree, later bodies of that shape are encoded here directly (about 0.05 ms), and when they do not,
    every body of that shape keeps coming from the SDK. One SDK client per thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._orders: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...] | None] = {}
        self._lock = threading.Lock()

    def client(self) -> openai.OpenAI:
        """This thread's SDK client (it never sends anything)."""
        client = getattr(self._local, "client", None)
        if client is None:
            import httpx2
            import openai

            def stop(request: httpx2.Request) -> None:
                raise _Built(request.read())

            client = self._local.client = openai.OpenAI(
                api_key="batch-file",
                base_url="http://batch.invalid/v1",
                max_retries=0,
                http_client=httpx2.Client(event_hooks={"request": [stop]}),
            )
        return cast("openai.OpenAI", client)

    def sdk_body(self, kwargs: dict[str, Any]) -> bytes:
        """The body as the SDK builds it."""
        try:
            self.client().chat.completions.create(**kwargs)
        except _Built as built:
            return built.body
        raise RuntimeError("the SDK sent a request it was asked only to build")  # pragma: no cover

    def body(self, kwargs: dict[str, Any]) -> bytes:
        merged = {k: v for k, v in kwargs.items() if k != "extra_body"}
        merged.update(kwargs.get("extra_body") or {})
        shape = (tuple(sorted(k for k in kwargs if k != "extra_body")), tuple(sorted(kwargs.get("extra_body") or {})))
        order = self._orders.get(shape, ())
        if order == ():  # a new shape: learn the SDK's key order, and check the encoding against it
            sdk = self.sdk_body(kwargs)
            keys = tuple(json.loads(sdk))
            learned = keys if set(keys) == set(merged) and _encode(merged, keys) == sdk else None
            with self._lock:
                self._orders[shape] = learned
            return sdk
        if order is None:
            return self.sdk_body(kwargs)
        return _encode(merged, order)


def _encode(merged: dict[str, Any], order: tuple[str, ...]) -> bytes:
    """The SDK's JSON encoding of a body (openai._utils._json.openapi_dumps), keys in ``order``."""
    return json.dumps(
        {k: merged[k] for k in order}, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


@dataclass(frozen=True)
class Answer:
    """One line of a batch output (or error) file: a response, or why there is none."""

    custom_id: str
    status_code: int | None  # None: no HTTP response (expired, cancelled, a transport failure)
    body: Any
    error_code: str | None = None
    error_message: str | None = None
    online: bool = False  # asked online (by ``collect --online-merge/--retry-online``), not by a batch

    @property
    def ok(self) -> bool:
        return self.status_code == 200 and isinstance(self.body, dict)

    @property
    def not_run(self) -> bool:
        """No answer and nothing paid: expired, cancelled, timed out, rate-limited or a server error.
        Such a request is run again (in a follow-up batch, or online with ``--retry-online``)."""
        if self.ok:
            return False
        if self.status_code is None:
            return True
        return self.status_code in (408, 409, 429) or self.status_code >= 500

    def describe(self) -> str:
        if self.status_code is None:
            return f"{self.error_code or 'error'}: {self.error_message or 'no response'}"
        inner = self.body.get("error", self.body) if isinstance(self.body, dict) else self.body
        message = inner.get("message") if isinstance(inner, dict) else inner
        return f"HTTP {self.status_code}: {' '.join(str(message or '').split())[:200]}"

    def completion(self) -> ChatCompletion | Any:
        """The response as the SDK builds it online (the SDK's own lenient construction)."""
        from openai._models import construct_type
        from openai.types.chat import ChatCompletion

        if not isinstance(self.body, dict):
            return self.body  # the client's answer reading rejects it as not a chat completion
        return construct_type(type_=ChatCompletion, value=self.body)

    def status_error(self, client: openai.OpenAI) -> openai.APIStatusError:
        """The SDK exception an online call would have raised for this status and body."""
        import httpx2

        assert self.status_code is not None
        response = httpx2.Response(
            self.status_code,
            json=self.body,
            request=httpx2.Request("POST", "http://batch.invalid" + config.BATCH_ENDPOINT),
        )
        return client._make_status_error_from_response(response)


def parse_output_line(raw: bytes | str) -> Answer | None:
    """An output or error file line as an :class:`Answer`; None for a line that is not one."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("custom_id"), str):
        return None
    response = record.get("response")
    error = record.get("error")
    code = message = None
    if isinstance(error, dict):
        code = str(error.get("code") or "") or None
        message = str(error.get("message") or "") or None
    if isinstance(response, dict) and isinstance(response.get("status_code"), int):
        return Answer(record["custom_id"], response["status_code"], response.get("body"), code, message)
    return Answer(record["custom_id"], None, None, code or "error", message)


def output_line(
    custom_id: str,
    *,
    status_code: int | None,
    body: Any = None,
    request_id: str | None = None,
    error: tuple[str, str] | None = None,
) -> bytes:
    """One line of a batch output or error file (what ``summarizer batch run`` writes), with its newline."""
    response = (
        None
        if status_code is None
        else {"status_code": status_code, "request_id": request_id or f"req_{uuid.uuid4().hex}", "body": body}
    )
    record = {
        "id": f"batch_req_{uuid.uuid4().hex}",
        "custom_id": custom_id,
        "response": response,
        "error": None if error is None else {"code": error[0], "message": error[1]},
    }
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
