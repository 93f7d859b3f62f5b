"""The SQLite result cache: keys, round trips, stats, clearing, threads, and nothing secret on disk."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from summarizer import settings
from summarizer.cache import CACHE_FILENAME, ResultCache, cache_key

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


def test_not_a_database_is_a_config_error(tmp_path: Path) -> None:
    from summarizer.errors import ConfigError

    bad = tmp_path / "c.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match="cannot open the result cache"):
        ResultCache(bad)
