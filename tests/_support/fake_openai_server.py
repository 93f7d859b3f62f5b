"""Test fixture: a fake OpenAI-compatible chat-completions server on 127.0.0.1, built in-process.

It is a fixture, not a recording: every answer is made up here from the request. For the summarize
prompt it answers a valid ``SummaryDraft`` whose claims quote the document's own numbered sentences (so
they ground); for the check prompt a ``VerdictBatch``; for the decompose prompt a ``Decomposition``; for the
merge prompt of a long document a ``MergeDraft``; for a scoring call (``logprobs: true``) one "<n> Yes" /
"<n> No" line per numbered claim with OpenAI-shaped ``logprobs``, P(Yes) growing with the share of the
claim's words the document holds.

Knobs: ``latency`` (seconds per call), ``fail_tags`` (documents whose tag, e.g. ``DOC-3``, appears in the
document are answered HTTP 400), ``fail_times`` (tag -> how many times to fail before answering),
``usage`` (fixed prompt/completion token counts), and :meth:`hold_after` (answer N calls, then hold the
rest until :meth:`release`; a held call whose client has gone, e.g. killed, is counted as abandoned and
never answered). Counters: ``requests`` (calls received), ``answered``, ``abandoned``, ``max_in_flight``,
``tags`` (the document tag of each call, in order), ``auth_headers``.

Run as a script (``python tests/_support/fake_openai_server.py --latency 0.2``) it prints its base URL on one
line, serves until standard input closes, then prints its counters as JSON.
"""

from __future__ import annotations

import json
import re
import select
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "gpt-4o-mini"
_SENTENCE = re.compile(r"^\[(\d+)\] (.+)$", re.MULTILINE)
_CLAIM_LINE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


def _between(text: str, start: str, end: str) -> str:
    i = text.find(start)
    j = text.rfind(end)
    return text[i + len(start) : j] if 0 <= i < j else text


class FakeOpenAIServer:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        fail_tags: set[str] | frozenset[str] = frozenset(),
        fail_times: dict[str, int] | None = None,
        usage: tuple[int, int] | None = None,
        tag_pattern: str = r"\bDOC-[A-Za-z0-9_-]+\b",
    ) -> None:
        self.latency = latency
        self.fail_tags = set(fail_tags)
        self.fail_times = dict(fail_times or {})
        self.usage = usage
        self.tag_re = re.compile(tag_pattern)
        self.lock = threading.Lock()
        self.requests = 0
        self.answered = 0
        self.abandoned = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.tags: list[str] = []
        self.answered_tags: list[str] = []
        self.auth_headers: list[str] = []
        self.scored_claims: list[list[str]] = []  # each scoring call's claim lines, in order
        self._hold_after: int | None = None
        self._released = threading.Event()
        self._released.set()
        self._httpd: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        server = self

        class Handler(_Handler):
            fake = server

        httpd = QuietHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        httpd.request_queue_size = 128  # the default backlog of 5 drops connections under --jobs 16
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- controls ---------------------------------------------------------------------------------

    def hold_after(self, n: int) -> None:
        """Answer ``n`` more calls, then hold every later one until :meth:`release`."""
        with self.lock:
            self._hold_after = self.answered + n
            self._released.clear()

    def release(self) -> None:
        with self.lock:
            self._hold_after = None
        self._released.set()

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.in_flight == 0:
                    return
            time.sleep(0.01)
        raise TimeoutError("fake server still has calls in flight")

    def counts(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "answered": self.answered,
                "abandoned": self.abandoned,
                "max_in_flight": self.max_in_flight,
            }

    # --- answers ----------------------------------------------------------------------------------

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        messages = body.get("messages") or []
        user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        if body.get("logprobs"):
            return 200, self._scores(body, user)
        fmt = body.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("name")
        if schema is None:  # json_object / text modes: tell the prompts apart by their wording
            schema = (
                "verdicts"
                if "Check these claims" in user
                else "decomposition"
                if "<text>" in user
                else "summary"
            )
        if schema == "summary":
            content = self._summary(_between(user, "<document>", "</document>"))
        elif schema == "verdicts":
            content = self._verdicts(user)
        elif schema == "decomposition":
            content = self._decomposition(_between(user, "<text>", "</text>"))
        elif schema == "merge":
            content = self._merge(user)
        else:
            return 400, {
                "error": {"message": f"fixture: unknown schema {schema!r}", "type": "invalid_request_error"}
            }
        text = json.dumps(content)
        prompt_tokens, completion_tokens = self.usage or (
            max(1, len(json.dumps(messages)) // 4),
            max(1, len(text) // 4),
        )
        return 200, {
            "id": "chatcmpl-fixture",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", MODEL),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _scores(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        import math

        document = set(re.findall(r"[a-z0-9]+", _between(user, "<document>", "</document>").lower()))
        claims = _CLAIM_LINE.findall(user.split("Claims:", 1)[-1])
        with self.lock:
            self.scored_claims.append([claim for _, claim in claims])
        content, text = [], []
        for n, claim in claims:
            words = re.findall(r"[a-z0-9]+", claim.lower()) or ["?"]
            p_yes = 0.1 + 0.8 * sum(w in document for w in words) / len(words)
            answer = " Yes" if p_yes >= 0.5 else " No"
            if text:
                content.append({"token": "\n", "logprob": 0.0, "bytes": [10], "top_logprobs": [
                    {"token": "\n", "logprob": 0.0, "bytes": [10]}]})  # fmt: skip
            content.append({"token": n, "logprob": 0.0, "bytes": list(n.encode()), "top_logprobs": [
                {"token": n, "logprob": 0.0, "bytes": list(n.encode())}]})  # fmt: skip
            top = [{"token": " Yes", "logprob": math.log(p_yes), "bytes": list(b" Yes")},
                   {"token": " No", "logprob": math.log(1 - p_yes), "bytes": list(b" No")}]  # fmt: skip
            content.append({"token": answer, "logprob": math.log(p_yes if answer == " Yes" else 1 - p_yes),
                            "bytes": list(answer.encode()), "top_logprobs": top})  # fmt: skip
            text.append(f"{n}{answer}")
        prompt_tokens, completion_tokens = self.usage or (
            max(1, len(json.dumps(body.get("messages") or [])) // 4), len(content)
        )
        return {
            "id": "chatcmpl-fixture",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", MODEL),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "\n".join(text), "refusal": None},
                         "finish_reason": "stop", "logprobs": {"content": content, "refusal": None}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }

    @staticmethod
    def _summary(document: str) -> dict[str, Any]:
        sentences = [(int(n), s.strip()) for n, s in _SENTENCE.findall(document)] or [
            (1, document.strip()[:200])
        ]
        claims = [{"n": n, "claim": s} for n, s in sentences[:3]]
        title = " ".join(sentences[0][1].split()[:8])
        return {
            "title": title or "Untitled",
            "tldr": sentences[0][1],
            "entities": [],
            "events": [],
            "claims": claims,
        }

    @staticmethod
    def _merge(user: str) -> dict[str, Any]:
        """The merge of a long document's parts: their titles joined, their first key points."""
        titles = re.findall(r"^Title: (.+)$", user, re.MULTILINE)
        points = re.findall(r"^- (.+)$", user, re.MULTILINE)
        return {"title": " / ".join(titles)[:200] or "Merged", "tldr": f"{len(titles)} parts.", "key_points": points[:3] or ["Merged."]}

    @staticmethod
    def _verdicts(user: str) -> dict[str, Any]:
        tail = user.split("Check these claims", 1)[-1]
        ids = [int(n) for n, _ in _CLAIM_LINE.findall(tail)] or [1]
        return {
            "verdicts": [
                {"id": i, "sentence": 0, "quote": "", "verdict": "not_in_source", "reason": "fixture"}
                for i in ids
            ]
        }

    @staticmethod
    def _decomposition(text: str) -> dict[str, Any]:
        parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()]
        return {"claims": [{"quote": p, "claim": p} for p in parts[:10]]}


class QuietHTTPServer(ThreadingHTTPServer):
    """The fake servers' HTTP server: it never writes into a test's captured output.

    socketserver prints a handler's traceback to whatever ``sys.stderr`` is at that moment; a handler
    thread that outlives its test (a pooled connection closed late) would write into the *next* test's
    captured stderr, and a test that asserts a one-line error would fail on another test's noise."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a cut call, a pooled connection closed) is not an error of the fixture:
        ignored. Anything else goes to the process's own stderr (``sys.__stderr__``), seen in the console
        and never in a test's captured output."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        print(f"fake server: error while serving {client_address}:", file=sys.__stderr__)
        traceback.print_exc(file=sys.__stderr__)


def _client_gone(sock: socket.socket) -> bool:
    """Whether the peer has closed the connection (e.g. the client process was killed)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body, sent apart, wait on a delayed ACK (40 ms)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": "fixture: not found"}})
            return
        fake = self.fake
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(400, {"error": {"message": "fixture: body is not JSON"}})
            return
        text = json.dumps(body.get("messages", []))
        match = fake.tag_re.search(text)
        tag = match.group(0) if match else ""
        with fake.lock:
            fake.requests += 1
            fake.tags.append(tag)
            fake.auth_headers.append(self.headers.get("Authorization", ""))
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            if fake.latency:
                time.sleep(fake.latency)
            while True:
                with fake.lock:
                    held = fake._hold_after is not None and fake.answered >= fake._hold_after
                if not held:
                    break
                fake._released.wait(0.05)
            if _client_gone(self.connection):
                with fake.lock:
                    fake.abandoned += 1
                self.close_connection = True
                return
            with fake.lock:
                fail = tag in fake.fail_tags or fake.fail_times.get(tag, 0) > 0
                if fake.fail_times.get(tag, 0) > 0:
                    fake.fail_times[tag] -= 1
            if fail:
                code, payload = (
                    400,
                    {"error": {"message": f"fixture: refused {tag}", "type": "invalid_request_error"}},
                )
            else:
                code, payload = fake.answer(body)
            with fake.lock:
                fake.answered += 1
                if code == 200:
                    fake.answered_tags.append(tag)
            self._send(code, payload)
        finally:
            with fake.lock:
                fake.in_flight -= 1

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        else:
            self._send(404, {"error": {"message": "fixture: not found"}})


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    with FakeOpenAIServer(latency=args.latency) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # serve until standard input closes
        server.wait_idle()
        print(json.dumps({**server.counts(), "cpu_s": time.process_time()}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
