"""The test fixtures' own promises (tests/_support): a fake server never writes into a test's output."""

from __future__ import annotations

import socket
import struct
import time
from urllib.parse import urlsplit

import pytest

from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def test_a_client_that_hangs_up_mid_request_leaves_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeOpenAIServer() as server:
        address = urlsplit(server.url)
        sock = socket.create_connection((address.hostname, address.port))
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        time.sleep(0.2)  # the handler is now waiting for the rest of the body
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # with linger 0: a reset, which the handler's read raises as ConnectionResetError
        time.sleep(0.3)
        assert server.counts()["requests"] == 0  # it never became a call
    assert capsys.readouterr().err == ""
