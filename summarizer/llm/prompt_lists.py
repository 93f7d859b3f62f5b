"""Many short answers in one request to a llama-server: a document's claims scored in one call.

The checker asks one Yes/No question per claim sentence, each in its own prompt so that no claim's answer
leans on another's. Through the chat endpoint that is one request per claim. llama-server also takes a
*list* of prompts in one request to its native ``/completion`` endpoint and answers each independently,
with its own log-probabilities; the prompts are then raw text, so the chat template the chat endpoint
would apply is rendered here, by the server itself:

1. ``POST /apply-template`` once per client and shape of conversation (its roles), with a placeholder for
   each message's content: the server's own template, exactly as its chat endpoint applies it;
2. each conversation's contents are put in place of the placeholders, giving the very text the chat
   endpoint would have tokenised (a template that changes or repeats a content is detected: no lists);
3. ``POST /completion`` with all the prompts, ``n_probs`` and the same sampling as a chat call; each
   result's ``completion_probabilities`` become one :class:`~summarizer.llm.logprobs.LogprobAnswer`.

Each prompt's log-probabilities are those of the same prompt sent alone (the server evaluates the prompts
one by one, reusing the source's cached prefix), so a profile fitted one claim sentence a call applies
unchanged. Used for the bundled local server (``Settings.prompt_lists``); a server that does not offer
these endpoints is remembered and asked through the chat endpoint instead.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from .. import config, errors
from ..settings import Settings
from ..types import Usage
from .error_map import excerpt
from .logprobs import TOP_LOGPROBS, LogprobAnswer, TokenLogprob

__all__ = ["Template", "completion_body", "completion_url", "plan", "read_results", "roles_of", "template_body", "template_url"]

#: What stands for the i-th message's content while the template is rendered.
_PLACEHOLDER = "\u2063@@summarizer-content-{}@@\u2063"

#: The fields of each result worth carrying back (llama-server echoes the prompt and its settings).
_FIELDS = ["index", "content", "tokens_predicted", "tokens_evaluated", "stop_type", "completion_probabilities"]


def _root(settings: Settings) -> str:
    """The server's root URL: llama-server's native endpoints sit beside ``/v1``, not under it."""
    base = (settings.base_url or "").rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


def template_url(settings: Settings) -> str:
    return f"{_root(settings)}/apply-template"


def completion_url(settings: Settings) -> str:
    return f"{_root(settings)}/completion"


#: A request of the plan: the URL and the JSON body to POST there.
Request = tuple[str, dict[str, Any]]


def roles_of(conversations: list[list[dict[str, str]]]) -> tuple[str, ...] | None:
    """The roles all ``conversations`` share (one template serves them all), else None."""
    shapes = {tuple(m["role"] for m in c) for c in conversations}
    return shapes.pop() if len(shapes) == 1 else None


def plan(
    settings: Settings,
    conversations: list[list[dict[str, str]]],
    templates: dict[tuple[str, ...], Template],
    usage: Usage,
    *,
    max_tokens: int,
) -> Generator[Request, Any, list[LogprobAnswer | None]]:
    """The requests that answer ``conversations`` in one call (the template first, when ``templates``
    does not hold it yet); each yield is sent the server's parsed JSON answer. Shared by both clients."""
    roles = roles_of(conversations)
    if roles is None:
        raise ValueError("the conversations do not share one shape")
    template = templates.get(roles)
    if template is None:
        rendered = yield template_url(settings), template_body(roles)
        template = templates[roles] = Template(roles, rendered)
    prompts = [template.fill(c) for c in conversations]
    data = yield completion_url(settings), completion_body(prompts, max_tokens=max_tokens)
    return read_results(data, len(prompts), usage)


def template_body(roles: tuple[str, ...]) -> dict[str, Any]:
    """The body of ``/apply-template`` for a conversation of ``roles``, each content a placeholder."""
    return {"messages": [{"role": r, "content": _PLACEHOLDER.format(i)} for i, r in enumerate(roles)]}


class Template:
    """A server's chat template for one shape of conversation, rendered once, filled in per prompt."""

    def __init__(self, roles: tuple[str, ...], rendered: Any) -> None:
        if not isinstance(rendered, dict) or not isinstance(rendered.get("prompt"), str):
            raise errors.APIError(f"the server's /apply-template answer has no prompt: {excerpt(str(rendered), 80)}")
        text: str = rendered["prompt"]
        marks = [_PLACEHOLDER.format(i) for i in range(len(roles))]
        if any(text.count(m) != 1 for m in marks):
            raise errors.APIError("the server's chat template changes or repeats a message's content")
        positions = sorted((text.index(m), i) for i, m in enumerate(marks))
        self.roles = roles
        self._pieces: list[str] = []  # text between the placeholders, in order
        self._order: list[int] = []  # which message's content goes in each gap
        at = 0
        for pos, i in positions:
            self._pieces.append(text[at:pos])
            self._order.append(i)
            at = pos + len(marks[i])
        self._pieces.append(text[at:])

    def fill(self, messages: list[dict[str, str]]) -> str:
        """The raw prompt for ``messages`` (their roles must be this template's)."""
        if tuple(m["role"] for m in messages) != self.roles:
            raise ValueError("the messages' roles are not this template's")
        out = [self._pieces[0]]
        for gap, i in enumerate(self._order):
            out.append(messages[i]["content"])
            out.append(self._pieces[gap + 1])
        return "".join(out)


def completion_body(prompts: list[str], *, max_tokens: int) -> dict[str, Any]:
    """The body of ``/completion`` for ``prompts``: the sampling of a chat call with log-probabilities."""
    return {
        "prompt": prompts,
        "n_predict": max_tokens,
        "temperature": config.TEMPERATURE,
        "n_probs": TOP_LOGPROBS,
        "cache_prompt": True,
        "stream": False,
        "response_fields": _FIELDS,
    }


def read_results(data: Any, n: int, usage: Usage) -> list[LogprobAnswer | None]:
    """One answer per prompt, in the prompts' order; usage counted once for the request (one call).

    A result without probabilities gives None (the caller falls back to JSON verdicts, as for a chat
    answer without log-probabilities). An answer of the wrong shape is an :class:`~summarizer.errors.APIError`.
    """
    results = data if isinstance(data, list) else [data]
    if len(results) != n or not all(isinstance(r, dict) for r in results):
        raise errors.APIError(
            f"the server answered {len(results)} result(s) to {n} prompt(s): {excerpt(str(data), 80)}"
        )
    ordered = sorted(results, key=lambda r: r.get("index", 0)) if n > 1 else results
    answers = [_answer(r) for r in ordered]
    usage.add(
        sum(int(r.get("tokens_evaluated") or 0) for r in ordered),
        sum(int(r.get("tokens_predicted") or 0) for r in ordered),
    )
    return answers


def _answer(result: dict[str, Any]) -> LogprobAnswer | None:
    items = result.get("completion_probabilities")
    if not isinstance(items, list) or not items:
        return None
    tokens = []
    for item in items:
        try:
            top = tuple((str(alt["token"]), float(alt["logprob"])) for alt in item.get("top_logprobs") or ())
            tokens.append(TokenLogprob(str(item["token"]), float(item["logprob"]), top))
        except (AttributeError, KeyError, TypeError, ValueError):
            raise errors.APIError(f"a log-probability the server sent is malformed: {excerpt(str(item), 80)}") from None
    finish = "length" if result.get("stop_type") == "limit" else "stop"
    return LogprobAnswer(str(result.get("content") or ""), tuple(tokens), finish)

