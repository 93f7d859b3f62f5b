"""The SQLite result cache: keys, round trips, stats, clearing, threads, and nothing secret on disk."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import batch, cli, settings
from summarizer.cache import CACHE_FILENAME, ResultCache, cache_key
from summarizer.errors import ConfigError
from summarizer.llm.client import LLM
from tests._support.batches import make_docs, read_lines, settings_for
from tests._support.fake_openai_server import FakeOpenAIServer

SHA = "ab" * 32


def test_key_is_canonical_and_depends_on_every_part() -> None:
    base = cache_key("summary", "gpt-4o-mini", "v1", {"a": 1, "b": [1, 2]}, SHA)
    assert base == cache_key("summary", "gpt-4o-mini", "v1", {"b": [1, 2], "a": 1}, SHA)  # key order
    assert len(base) == 64 and int(base, 16) >= 0
    variants = {
        cache_key("check", "gpt-4o-mini", "v1", {"a": 1, "b": [1, 2]}, SHA),
        cache_key("summary", "gpt-4o", "v1", {"a": 1, "b": [1, 2]}, SHA),
        cache_key("summary", "gpt-4o-mini", "v2", {"a": 1, "b": [1, 2]}, SHA),
        cache_key("summary", "gpt-4o-mini", "v1", {"a": 2, "b": [1, 2]}, SHA),
        cache_key("summary", "gpt-4o-mini", "v1", {"a": 1, "b": [1, 2]}, "cd" * 32),
    }
    assert base not in variants and len(variants) == 5


def test_default_location_is_in_the_cache_dir(tmp_path: Path) -> None:
    with ResultCache() as cache:  # conftest points SUMMARIZER_CACHE_DIR at tmp_path / "cache"
        assert cache.path == settings.cache_dir() / CACHE_FILENAME
        assert cache.path.parent == tmp_path / "cache"
        assert cache.path.exists()
        mode = cache._connect().execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_put_get_stats_clear(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite3") as cache:
        assert cache.get("missing") is None
        entries, size, path = cache.stats()
        assert entries == 0 and path == tmp_path / "c.sqlite3" and size > 0
        cache.put("k1", "summary", {"title": "Ünïcode ✓", "n": [1, 2.5, None]})
        cache.put("k2", "check", {"score": 0.5})
        assert cache.get("k1") == {"title": "Ünïcode ✓", "n": [1, 2.5, None]}
        cache.put("k1", "summary", {"title": "replaced"})
        assert cache.get("k1") == {"title": "replaced"}
        entries, size2, _ = cache.stats()
        assert entries == 2 and size2 >= size
        assert cache.clear() == 2
        assert cache.get("k1") is None and cache.stats()[0] == 0


def test_survives_reopening_and_a_second_instance(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with ResultCache(path) as a, ResultCache(path) as b:  # as two processes would
        a.put("k", "summary", {"v": 1})
        assert b.get("k") == {"v": 1}
    with ResultCache(path) as c:
        assert c.get("k") == {"v": 1}


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with ResultCache(path) as cache:
        cache.put("k", "summary", {"v": 1})
    conn = sqlite3.connect(path)
    conn.execute("UPDATE results SET value = '{not json' WHERE key = 'k'")
    conn.commit()
    conn.close()
    with ResultCache(path) as cache:
        assert cache.get("k") is None
        cache.put("k", "summary", {"v": 2})
        assert cache.get("k") == {"v": 2}


def test_many_threads_read_and_write(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with ResultCache(tmp_path / "c.sqlite3") as cache:

        def worker(n: int) -> None:
            try:
                for i in range(40):
                    cache.put(f"{n}-{i}", "summary", {"n": n, "i": i})
                    assert cache.get(f"{n}-{i}") == {"n": n, "i": i}
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert cache.stats()[0] == 8 * 40


# --- damage: every kind of unusable file is moved aside (kept), and the work goes on ------------------


def _filled(path: Path, n: int = 400) -> None:
    """A real cache of ``n`` entries (several hundred pages), checkpointed into the main file."""
    with ResultCache(path) as cache:
        for i in range(n):
            cache.put(f"k{i}", "summary", {"i": i, "text": "x" * 2000})
        cache._connect().execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _truncated(path: Path) -> None:
    _filled(path)
    os.truncate(path, path.stat().st_size // 2)


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(64 * 1024))


def _short_garbage(path: Path) -> None:
    path.write_bytes(b"not sqlite")


def _text(path: Path) -> None:
    path.write_bytes(b"this is not sqlite" * 100)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "keep-me.txt").write_text("a folder where the cache file should be\n")


def _wrong_columns(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, payload BLOB)")
    conn.execute("INSERT INTO results (payload) VALUES (x'00ff')")
    conn.commit()
    conn.close()


def _foreign_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (title TEXT, body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('shopping', 'milk')")
    conn.commit()
    conn.close()


def _damaged_header(path: Path) -> None:
    _filled(path)
    with open(path, "r+b") as fh:  # the "SQLite format 3" magic overwritten
        fh.write(b"GARBAGE-GARBAGE!")


DAMAGE = {
    "truncated": _truncated,
    "random bytes": _random_bytes,
    "shorter than a header": _short_garbage,
    "text file": _text,
    "damaged header": _damaged_header,
    "a folder": _folder,
    "wrong columns": _wrong_columns,
    "another schema": _foreign_tables,
}


def _snapshot(path: Path) -> object:
    return sorted(p.name for p in path.iterdir()) if path.is_dir() else path.read_bytes()


def _asides(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm")))


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_cache_is_moved_aside_kept_and_replaced(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.sqlite3"
    DAMAGE[damage](path)
    before = _snapshot(path)
    with caplog.at_level(logging.WARNING, logger="summarizer.cache"), ResultCache(path) as cache:
        assert cache.available
        (aside,) = _asides(path)
        assert cache.moved_aside == [aside]
        assert _snapshot(aside) == before  # nothing destroyed: the damaged file is kept as it was
        cache.put("k", "summary", {"v": 1})
        assert cache.get("k") == {"v": 1}
        assert cache.stats()[0] == 1
        assert cache.clear() == 1
    (warning,) = [r for r in caplog.records if r.name == "summarizer.cache"]
    assert warning.levelno == logging.WARNING
    assert str(path) in warning.getMessage() and str(aside) in warning.getMessage()
    assert "\n" not in warning.getMessage()


def test_a_zero_length_file_is_an_empty_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"")
    with caplog.at_level(logging.WARNING), ResultCache(path) as cache:
        cache.put("k", "summary", {"v": 1})
        assert cache.get("k") == {"v": 1} and cache.stats()[0] == 1
    assert not _asides(path) and not caplog.records


def _corrupt_pages(path: Path) -> None:
    """Garbage over the middle of the file: the header and the schema read fine, the entries do not."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 4)
        fh.write(random.Random(3).randbytes(size // 2))


def test_damage_found_while_reading_is_moved_aside_and_the_call_retried(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    _filled(path)
    _corrupt_pages(path)
    with ResultCache(path) as cache:
        found = [cache.get(f"k{i}") for i in range(400)]  # never raises: damage is a miss
        assert None in found
        assert cache.available and len(cache.moved_aside) == 1
        cache.put("new", "summary", {"v": 1})
        assert cache.get("new") == {"v": 1}
    with ResultCache(path) as cache:
        assert cache.clear() == 1


def test_damage_found_by_one_of_many_threads_turns_the_cache_off_until_close(tmp_path: Path) -> None:
    """Other threads hold connections to the file, so it cannot be swapped under them: the cache goes off
    for the rest of the run (misses, no writes, no exceptions) and the file is moved aside on close."""
    path = tmp_path / "c.sqlite3"
    _filled(path)
    cache = ResultCache(path)
    other = threading.Thread(target=lambda: cache.get("k0"))
    other.start()
    other.join()
    _corrupt_pages(path)
    results = [cache.get(f"k{i}") for i in range(400)]
    assert None in results
    assert not cache.available and "damaged" in (cache.off_reason or "")
    cache.put("new", "summary", {"v": 1})  # skipped, not raised
    assert cache.get("new") is None
    assert not _asides(path)
    cache.close()
    assert len(_asides(path)) == 1
    with ResultCache(path) as fresh:
        assert fresh.available and fresh.stats()[0] == 0


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """A folder nothing can be created in or renamed out of, even for root (chattr +i), else chmod."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr +i: no way to make a read-only folder")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


@pytest.mark.parametrize("state", ["no file yet", "a good file", "a damaged file"])
def test_a_read_only_folder_turns_the_cache_off_with_a_warning(
    tmp_path: Path, state: str, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "c.sqlite3"
    if state == "a good file":
        _filled(path, 3)
    elif state == "a damaged file":
        _random_bytes(path)
    with _read_only(folder), caplog.at_level(logging.WARNING, logger="summarizer.cache"):
        cache = ResultCache(path)
        assert cache.get("k0") is None  # a miss, not an error
        cache.put("k", "summary", {"v": 1})  # skipped, not an error
        with pytest.raises(ConfigError, match="result cache is off") as excinfo:
            cache.clear()
        assert "\n" not in str(excinfo.value)
        cache.close()
        assert sorted(p.name for p in folder.iterdir()) == ([] if state == "no file yet" else ["c.sqlite3"])
    assert not cache.available
    warnings = [r.getMessage() for r in caplog.records if r.name == "summarizer.cache"]
    assert warnings and all("\n" not in w for w in warnings)
    assert any("result cache off for this run" in w for w in warnings)


# --- through the command line: the cache command, a dry run and a batch go on --------------------------


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "a folder", "wrong columns"])
def test_cache_clear_always_works_on_a_damaged_cache(capsys: pytest.CaptureFixture[str], damage: str) -> None:
    path = settings.cache_dir() / CACHE_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    DAMAGE[damage](path)
    assert cli.main(["cache", "--clear"]) == 0
    out, err = capsys.readouterr()
    assert "cleared 0 entries" in out
    (line,) = err.splitlines()
    assert line.startswith("summarizer: WARNING summarizer.cache: the result cache") and "moved it aside" in line
    assert len(_asides(path)) == 1
    assert cli.main(["cache"]) == 0 and capsys.readouterr().err == ""


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback
@pytest.mark.parametrize("damage", ["truncated", "random bytes", "a folder", "another schema"])
def test_a_batch_and_a_dry_run_go_on_past_a_damaged_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    path = settings.cache_dir() / CACHE_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    DAMAGE[damage](path)
    docs = make_docs(tmp_path / "in", 2)
    assert cli.main(["summarize", str(tmp_path / "in"), "--dry-run", "-m", "gpt-4o-mini", "-f", "json"]) == 0
    assert "moved it aside" in capsys.readouterr().err
    for suffix in ("", "-wal", "-shm"):  # the fresh cache the dry run left, damaged the same way again
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    DAMAGE[damage](path)
    with FakeOpenAIServer() as srv:
        out = tmp_path / "out.jsonl"
        inputs = batch.collect_inputs([str(tmp_path / "in")])
        task = batch.task_for("summarize", inputs, settings_for(srv), LLM(settings_for(srv)))
        outcome = batch.run_task(inputs, task, output=str(out))
        assert outcome.exit_code == 0
        assert [line["status"] for line in read_lines(out)] == ["ok"] * len(docs)
        assert srv.answered == len(docs)
    assert len(_asides(path)) == 2
    with ResultCache(path) as cache:
        assert cache.stats()[0] == len(docs)  # the new cache holds this run's results
