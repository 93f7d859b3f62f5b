"""The test fixtures' own promises (tests/_support): a fake server never writes into a test's output."""

from __future__ import annotations

import io
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import pytest

from tests._support.fake_batch_api import FakeBatchAPI
from tests._support.fake_openai_server import FakeOpenAIServer, QuietHTTPServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def _hang_up_mid_request(url: str, path: str) -> None:
    """Send the start of a POST to ``path`` and reset the connection while the handler reads its body."""
    address = urlsplit(url)
    assert address.port is not None
    sock = socket.create_connection((address.hostname, address.port))
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{{".encode())
    time.sleep(0.2)  # the handler is now waiting for the rest of the body
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # with linger 0: a reset, which the handler's read raises as ConnectionResetError
    time.sleep(0.3)


def test_a_client_that_hangs_up_mid_request_leaves_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeOpenAIServer() as server:
        _hang_up_mid_request(server.url, "/v1/chat/completions")
        assert server.counts()["requests"] == 0  # it never became a call
    assert capsys.readouterr().err == ""


def test_a_client_that_hangs_up_on_the_batch_fake_leaves_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeBatchAPI() as api:
        _hang_up_mid_request(api.url, "/v1/files")
    assert capsys.readouterr().err == ""


def test_a_fixture_error_goes_to_the_process_stderr_not_a_tests_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # socketserver's own handle_error prints to sys.stderr, which is the captured output of whichever
    # test runs when a late handler thread fails; the fixture's goes to the process's stderr instead
    console = io.StringIO()
    monkeypatch.setattr(sys, "__stderr__", console)
    server = QuietHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    try:
        try:
            raise ValueError("a handler bug")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1234))
        try:
            raise ConnectionResetError("the client hung up")
        except ConnectionResetError:
            server.handle_error(None, ("127.0.0.1", 1235))
    finally:
        server.server_close()
    assert capsys.readouterr().err == ""
    assert "a handler bug" in console.getvalue() and "1234" in console.getvalue()
    assert "hung up" not in console.getvalue()
