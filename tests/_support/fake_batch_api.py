"""Test fixture: a FAKE of OpenAI's Files and Batches endpoints (and chat completions), in-process on 127.0.0.1.

A fake, not a recording: nothing here came from OpenAI. It keeps uploaded files and batches in memory and
moves each batch through the Batch API's states when told to (:meth:`FakeBatchAPI.step`, or one step per
``GET /batches/{id}`` with ``auto_step``):

    validating → in_progress → finalizing → completed
    validating → failed                      (``fail_validation``: the batch's ``errors`` say why)
    in_progress → expired                    (``expire_after=N``: N requests run, the rest get
                                              ``batch_expired`` lines in the error file)
    validating | in_progress → cancelling → cancelled   (``POST /batches/{id}/cancel``: requests not run
                                              yet get ``batch_cancelled`` lines)

While in progress, each step runs ``per_step`` requests; each request is answered by the chat fixture's
answer generator (:meth:`FakeOpenAIServer.answer`: valid drafts quoting the document). ``error_ids``
(custom_id → HTTP status) puts those requests in the error file with that status (a partial error file).

Faults: ``lose_create_response`` / ``lose_upload_response`` (how many times): the server creates the batch
(stores the file) and then drops the connection without answering, as a network failure would.

``chat_delay``: seconds an online chat completion waits before it is answered (a slow model).

Counters: ``uploads``, ``created`` (batches), ``cancels``, ``chat_calls`` (online chat completions),
``ran`` (custom_ids run by batches, every time one is run: a request run twice shows twice).
"""

from __future__ import annotations

import json
import threading
import time
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests._support.fake_openai_server import FakeOpenAIServer, QuietHTTPServer

TERMINAL = {"completed", "failed", "expired", "cancelled"}


class FakeBatchAPI:
    def __init__(
        self,
        *,
        per_step: int = 1_000_000,
        auto_step: bool = False,
        fail_validation: bool = False,
        expire_after: int | None = None,
        error_ids: dict[str, int] | None = None,
        lose_create_response: int = 0,
        lose_upload_response: int = 0,
        chat_delay: float = 0.0,
    ) -> None:
        self.per_step = per_step
        self.auto_step = auto_step
        self.fail_validation = fail_validation
        self.expire_after = expire_after
        self.error_ids = dict(error_ids or {})
        self.lose_create_response = lose_create_response
        self.lose_upload_response = lose_upload_response
        self.chat_delay = chat_delay
        self.chat = FakeOpenAIServer()  # its answer generator only (never started)
        self.lock = threading.RLock()
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.progress: dict[str, list[dict[str, Any]]] = {}  # batch id -> its requests not run yet
        self.outputs: dict[str, list[bytes]] = {}
        self.errors: dict[str, list[bytes]] = {}
        self.uploads = self.created = self.cancels = self.chat_calls = 0
        self.ran: list[str] = []
        self._n = 0
        self._httpd: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> FakeBatchAPI:
        fake = self

        class Handler(_Handler):
            api = fake

        self._httpd = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeBatchAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-{self._n:04d}"

    # --- the state machine ----------------------------------------------------------------------------

    def step(self, batch_id: str | None = None) -> None:
        """Move one batch (or every batch not finished) one step on."""
        with self.lock:
            ids = [batch_id] if batch_id else [b for b, v in self.batches.items() if v["status"] not in TERMINAL]
            for bid in ids:
                self._step(self.batches[bid])

    def run_all(self) -> None:
        """Step every batch until it has finished."""
        for _ in range(1000):
            with self.lock:
                if all(b["status"] in TERMINAL for b in self.batches.values()):
                    return
            self.step()
        raise AssertionError("the fake's batches never finished")

    def _step(self, batch: dict[str, Any]) -> None:
        now = int(time.time())
        status = batch["status"]
        if status == "validating":
            if self.fail_validation:
                batch.update(status="failed", failed_at=now, errors={"object": "list", "data": [
                    {"code": "invalid_request", "message": "fake: validation failed", "param": None, "line": 1}]})  # fmt: skip
                return
            batch.update(status="in_progress", in_progress_at=now)
        elif status == "in_progress":
            todo = self.progress[batch["id"]]
            for _ in range(min(self.per_step, len(todo))):
                if self.expire_after is not None and self._done(batch) >= self.expire_after:
                    self._end(batch, "expired", "batch_expired")
                    return
                self._run_one(batch, todo.pop(0))
            if not todo:
                batch.update(status="finalizing", finalizing_at=now)
        elif status == "finalizing":
            self._end(batch, "completed", None)
        elif status == "cancelling":
            self._end(batch, "cancelled", "batch_cancelled")

    def _done(self, batch: dict[str, Any]) -> int:
        return len(self.outputs[batch["id"]]) + len(self.errors[batch["id"]])

    def _run_one(self, batch: dict[str, Any], request: dict[str, Any]) -> None:
        custom_id = request["custom_id"]
        self.ran.append(custom_id)
        record: dict[str, Any] = {"id": self._id("batch_req"), "custom_id": custom_id, "error": None}
        if custom_id in self.error_ids:
            code = self.error_ids[custom_id]
            record["response"] = {"status_code": code, "request_id": self._id("req"), "body": {
                "error": {"message": f"fake: request refused ({code})", "type": "invalid_request_error", "code": None}}}  # fmt: skip
            self.errors[batch["id"]].append(_line(record))
        else:
            code, body = self.chat.answer(request["body"])
            record["response"] = {"status_code": code, "request_id": self._id("req"), "body": body}
            (self.outputs if code == 200 else self.errors)[batch["id"]].append(_line(record))
        counts = batch["request_counts"]
        counts["completed" if custom_id not in self.error_ids and code == 200 else "failed"] += 1

    def _end(self, batch: dict[str, Any], status: str, left_code: str | None) -> None:
        now = int(time.time())
        bid = batch["id"]
        for request in self.progress[bid] if left_code else []:
            self.errors[bid].append(_line({"id": self._id("batch_req"), "custom_id": request["custom_id"],
                                           "response": None, "error": {"code": left_code, "message": f"fake: {left_code}"}}))  # fmt: skip
            batch["request_counts"]["failed"] += 1
        self.progress[bid] = []
        for kind, lines in (("output_file_id", self.outputs[bid]), ("error_file_id", self.errors[bid])):
            if lines:
                fid = self._id("file")
                content = b"".join(lines)
                self.contents[fid] = content
                self.files[fid] = _file_object(fid, f"batch_{bid}_{kind[:-8]}.jsonl", len(content), "batch_output")
                batch[kind] = fid
        batch.update(status=status, **{f"{status}_at": now})

    # --- endpoints ------------------------------------------------------------------------------------

    def upload(self, purpose: str, filename: str, content: bytes) -> dict[str, Any]:
        with self.lock:
            fid = self._id("file")
            self.contents[fid] = content
            self.files[fid] = _file_object(fid, filename, len(content), purpose)
            self.uploads += 1
            return self.files[fid]

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            fid = body["input_file_id"]
            if fid not in self.contents:
                raise KeyError(fid)
            bid = self._id("batch")
            requests = [json.loads(line) for line in self.contents[fid].splitlines() if line.strip()]
            now = int(time.time())
            self.batches[bid] = {
                "id": bid, "object": "batch", "endpoint": body["endpoint"], "errors": None,
                "input_file_id": fid, "completion_window": body["completion_window"], "status": "validating",
                "output_file_id": None, "error_file_id": None, "created_at": now, "in_progress_at": None,
                "expires_at": now + 86400, "finalizing_at": None, "completed_at": None, "failed_at": None,
                "expired_at": None, "cancelling_at": None, "cancelled_at": None,
                "request_counts": {"total": len(requests), "completed": 0, "failed": 0},
                "metadata": body.get("metadata"),
            }  # fmt: skip
            self.progress[bid] = requests
            self.outputs[bid] = []
            self.errors[bid] = []
            self.created += 1
            return self.batches[bid]

    def cancel(self, bid: str) -> dict[str, Any]:
        with self.lock:
            batch = self.batches[bid]
            self.cancels += 1
            if batch["status"] in ("validating", "in_progress", "finalizing"):
                batch.update(status="cancelling", cancelling_at=int(time.time()))
            return batch


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record) + "\n").encode("utf-8")


def _file_object(fid: str, filename: str, size: int, purpose: str) -> dict[str, Any]:
    return {"id": fid, "object": "file", "bytes": size, "created_at": int(time.time()), "filename": filename,
            "purpose": purpose, "status": "processed"}  # fmt: skip


def _page(items: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
    limit = int(query.get("limit", ["20"])[0])
    after = query.get("after", [None])[0]
    if after is not None:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    return {"object": "list", "data": page, "has_more": len(items) > limit,
            "first_id": page[0]["id"] if page else None, "last_id": page[-1]["id"] if page else None}  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    api: FakeBatchAPI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, code: int, payload: Any, *, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        """Answer nothing and close the connection (the work on the server side is done)."""
        self.close_connection = True

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:
        api = self.api
        path = urlparse(self.path).path.rstrip("/")
        raw = self._body()
        if path.endswith("/chat/completions"):
            with api.lock:
                api.chat_calls += 1
            time.sleep(api.chat_delay)
            code, payload = api.chat.answer(json.loads(raw))
            self._send(code, payload)
        elif path.endswith("/files"):
            message = BytesParser(policy=email_policy).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + raw
            )
            fields: dict[str, Any] = {}
            filename = "upload.jsonl"
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename():
                    filename = part.get_filename()
                fields[str(name)] = part.get_payload(decode=True)
            obj = api.upload(fields["purpose"].decode(), filename, fields["file"])
            with api.lock:
                lose = api.lose_upload_response > 0
                api.lose_upload_response -= lose
            self._drop() if lose else self._send(200, obj)
        elif path.endswith("/batches"):
            try:
                obj = api.create(json.loads(raw))
            except KeyError:
                self._send(404, {"error": {"message": "fake: no such file", "type": "invalid_request_error"}})
                return
            with api.lock:
                lose = api.lose_create_response > 0
                api.lose_create_response -= lose
            self._drop() if lose else self._send(200, obj)
        elif path.endswith("/cancel"):
            bid = path.split("/")[-2]
            if bid not in api.batches:
                self._send(404, {"error": {"message": "fake: no such batch"}})
                return
            self._send(200, api.cancel(bid))
        else:
            self._send(404, {"error": {"message": "fake: not found"}})

    def do_GET(self) -> None:
        api = self.api
        url = urlparse(self.path)
        path, query = url.path.rstrip("/"), parse_qs(url.query)
        parts = path.split("/")
        with api.lock:
            if path.endswith("/files"):
                files = [f for f in api.files.values() if "purpose" not in query or f["purpose"] == query["purpose"][0]]
                self._send(200, _page(sorted(files, key=lambda f: f["id"], reverse=True), query))
            elif parts[-1] == "content" and parts[-3] == "files":
                fid = parts[-2]
                if fid not in api.contents:
                    self._send(404, {"error": {"message": "fake: no such file"}})
                else:
                    self._send(200, None, raw=api.contents[fid])
            elif path.endswith("/batches"):
                batches = sorted(api.batches.values(), key=lambda b: b["id"], reverse=True)
                self._send(200, _page(batches, query))
            elif parts[-2] == "batches":
                bid = parts[-1]
                if bid not in api.batches:
                    self._send(404, {"error": {"message": "fake: no such batch"}})
                    return
                if api.auto_step:
                    api._step(api.batches[bid])
                self._send(200, api.batches[bid])
            else:
                self._send(404, {"error": {"message": "fake: not found"}})
