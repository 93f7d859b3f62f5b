"""Test fixture: a deliberately slow model server on 127.0.0.1, built in the test (nothing recorded).

``silent``: reads the request and never answers. ``drip``: sends the headers of a valid chat completion
at once, then its body one byte every ``interval`` seconds (no per-read timeout ever fires). Use as a
context manager; ``url`` is its base URL, ``requests`` counts the requests it read.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

from tests._support.faults import completion_body


class SlowServer:
    def __init__(self, mode: str, *, interval: float = 0.2, content: str = '{"title": "T", "points": ["p"]}') -> None:
        assert mode in ("silent", "drip")
        self.mode, self.interval = mode, interval
        self.body = json.dumps(completion_body(content)).encode("utf-8")
        self.requests = 0
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"

    def __enter__(self) -> SlowServer:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        data = b""
        try:
            while b"\r\n\r\n" not in data and not self._stop.is_set():  # the headers, then the body
                try:
                    data += conn.recv(65536)
                except TimeoutError:
                    continue
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
            while len(body) < length and not self._stop.is_set():
                try:
                    body += conn.recv(65536)
                except TimeoutError:
                    continue
            self.requests += 1
            if self.mode == "silent":
                self._stop.wait()
                return
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(self.body)}\r\n\r\n".encode()
            )
            for i in range(len(self.body)):
                if self._stop.is_set():
                    return
                conn.sendall(self.body[i : i + 1])
                time.sleep(self.interval)
        except OSError:
            return
        finally:
            conn.close()
