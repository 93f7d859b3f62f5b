"""Long documents: model calls and the tool's own CPU time against document length (map-reduce).

Summarises generated documents of about 5k, 10k, 25k and 50k tokens against an in-process fake model
(an ``httpx2.MockTransport`` answering every call from its request, instantly), so the figures are the
tool's own work: numbering, token counting, chunking, the SDK round trip, validation and grounding.
The fake server's CPU time is measured and subtracted. Nothing goes over the network.

    .venv/bin/python benchmarks/longdoc.py
    .venv/bin/python benchmarks/longdoc.py --model gpt-4o-mini --window 16000 --paraphrase

``--paraphrase`` makes every quote miss verbatim matching (the worst case for grounding: each claim
falls back to the most similar sentence of its chunk).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer import config, pricing, summarize
from summarizer.llm.client import LLM
from summarizer.settings import Settings
from summarizer.text import tokens

SIZES = (5_000, 10_000, 25_000, 50_000)
_SENTENCE = re.compile(r"^\[(\d+)\] (.+)$", re.MULTILINE)
_NOUNS = "bridge council budget river school levy road park mayor plan report reservoir ferry pier".split()  # noqa: SIM905
_VERBS = "approved delayed reviewed funded rejected expanded inspected audited proposed debated".split()  # noqa: SIM905
_PLACES = "Northgate Eastwick Harbourside Millbrook Riverton Ashford Kingsmere Westfield".split()  # noqa: SIM905


def document(target_tokens: int, model: str, seed: int = 1) -> str:
    """Paragraphs of varied, unique sentences until about ``target_tokens`` tokens."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < target_tokens:
        p = len(paragraphs)
        paragraph = " ".join(
            f"The {rng.choice(_PLACES)} {rng.choice(_NOUNS)} committee {rng.choice(_VERBS)} item {p}-{i} "
            f"at a cost of {rng.randint(2, 990)} thousand dollars, said {rng.choice(_PLACES)} officials."
            for i in range(rng.randint(3, 7))
        )
        paragraphs.append(paragraph)
        total += tokens.count_tokens(paragraph, model) + 1
    return "\n\n".join(paragraphs)


class FakeModel:
    """Answers a summary call with claims quoting the chunk's sentences, a merge call with a merge."""

    def __init__(self, paraphrase: bool) -> None:
        self.paraphrase = paraphrase
        self.calls = 0
        self.cpu = 0.0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        t0 = time.process_time()
        body = json.loads(request.content)
        self.calls += 1
        content = body["messages"][-1]["content"]
        if body["response_format"]["json_schema"]["name"] == "merge":
            answer: dict[str, Any] = {"title": "Merged", "tldr": "A long report.", "key_points": ["Merged."]}
        else:
            sentences = _SENTENCE.findall(content)
            step = max(1, len(sentences) // config.MAX_CLAIMS)
            claims = []
            for n, text in sentences[::step][: config.MAX_CLAIMS]:
                words = text.split()
                if self.paraphrase:
                    random.Random(n).shuffle(words)
                claims.append(
                    {
                        "sentence": int(n),
                        "quote": " ".join(words[:8]),
                        "text": f"Reportedly, {text}",
                        "kind": "fact",
                        "attribution": "article",
                    }
                )
            answer = {
                "title": f"Part {sentences[0][0]}",
                "tldr": "A part.",
                "key_points": ["A point."],
                "entities": [{"name": "Northgate", "type": "location"}],
                "events": [],
                "claims": claims,
            }
        response = httpx2.Response(
            200,
            json={
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": json.dumps(answer)},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": len(content) // 4, "completion_tokens": 300, "total_tokens": 0},
            },
        )
        self.cpu += time.process_time() - t0
        return response


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-m", "--model", default=config.LOCAL_MODEL, help="model name (sets the window)")
    parser.add_argument("--window", type=int, help="override the model's context window (tokens)")
    parser.add_argument("--paraphrase", action="store_true", help="quotes never match verbatim")
    args = parser.parse_args()
    if args.window:
        pricing.context_window = lambda model: args.window  # type: ignore[assignment]
    window = pricing.context_window(args.model)

    warm = FakeModel(args.paraphrase)  # load the encodings, the SDK and pydantic's schemas once
    summarize("A warm-up sentence.", llm=LLM(_settings(args.model), http_client=_client(warm)))

    print(
        f"model {args.model}, context window {window} tokens, quotes {'paraphrased' if args.paraphrase else 'verbatim'}"
    )
    print(
        f"{'tokens':>8} {'chars':>9} {'calls':>6} {'calls/10k tok':>14} {'tool CPU s':>11} {'CPU ms/1k tok':>14}"
    )
    for size in SIZES:
        text = document(size, args.model)
        n = tokens.count_tokens(text, args.model)
        fake = FakeModel(args.paraphrase)
        llm = LLM(_settings(args.model), http_client=_client(fake))
        t0 = time.process_time()
        result = summarize(text, llm=llm)
        cpu = time.process_time() - t0 - fake.cpu
        assert result.usage.calls == fake.calls
        print(
            f"{n:>8} {len(text):>9} {fake.calls:>6} {fake.calls / n * 10_000:>14.2f} {cpu:>11.2f} {cpu / n * 1e6:>14.1f}"
        )
    return 0


def _settings(model: str) -> Settings:
    return Settings(model=model, base_url="http://fake.invalid/v1", api_key="sk-fake", max_retries=0)


def _client(fake: FakeModel) -> httpx2.Client:
    return httpx2.Client(transport=httpx2.MockTransport(fake))


if __name__ == "__main__":
    raise SystemExit(main())
