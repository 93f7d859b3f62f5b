"""``summarizer batch submit | status | cancel`` (summarizer.batch.api.remote) against a FAKE of the Files and
Batches endpoints (tests/_support/fake_batch_api.py): one batch per file whatever happens, the state
machine followed, cancels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest

from summarizer.batch.api import cancel, prepare, status, submit
from summarizer.errors import ConfigError, ConnectionFailedError
from tests._support.batch_jobs import api_settings, spec
from tests._support.batches import make_docs
from tests._support.fake_batch_api import FakeBatchAPI

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake API is on loopback


@pytest.fixture
def api() -> Any:
    with FakeBatchAPI() as fake:
        yield fake


def prepared(tmp_path: Path, url: str, n: int = 5, **kw: Any) -> str:
    make_docs(tmp_path / "docs", n)
    prepare([str(tmp_path / "docs")], str(tmp_path / "job"), spec(url), **kw)
    return str(tmp_path / "job")


def manifest(job: str) -> dict[str, Any]:
    return json.loads((Path(job) / "manifest.json").read_text())


def test_submit_uploads_each_file_once_and_starts_one_batch_each(tmp_path: Path, api: FakeBatchAPI) -> None:
    job = prepared(tmp_path, api.url, max_requests=3)
    submitted = submit(job, api_settings(api.url))
    assert [f["name"] for f in submitted] == ["r1-001", "r1-002"]
    assert api.uploads == 2 and api.created == 2
    files = manifest(job)["files"]
    for f in files:
        batch = api.batches[f["batch_id"]]
        assert batch["input_file_id"] == f["input_file_id"]
        assert batch["endpoint"] == "/v1/chat/completions" and batch["completion_window"] == "24h"
        assert batch["metadata"] == {"summarizer_job": manifest(job)["job_id"], "summarizer_file": f["name"]}
        assert api.files[f["input_file_id"]]["purpose"] == "batch"
        assert api.contents[f["input_file_id"]] == (Path(job) / f"{f['name']}.jsonl").read_bytes()

    assert submit(job, api_settings(api.url)) == []  # submitting again creates nothing
    assert api.uploads == 2 and api.created == 2


def test_a_batch_created_but_never_acknowledged_is_found_not_created_twice(
    tmp_path: Path, api: FakeBatchAPI
) -> None:
    job = prepared(tmp_path, api.url)
    api.lose_create_response = 1  # the batch exists on the server; the answer is lost on the way
    with pytest.raises(ConnectionFailedError):
        submit(job, api_settings(api.url))
    (f,) = manifest(job)["files"]
    assert f["intent"] == "create" and f["batch_id"] is None and api.created == 1

    submit(job, api_settings(api.url))
    (f,) = manifest(job)["files"]
    assert api.created == 1 and f["batch_id"] == next(iter(api.batches)) and f["intent"] is None


def test_an_upload_never_acknowledged_is_found_not_uploaded_twice(tmp_path: Path, api: FakeBatchAPI) -> None:
    job = prepared(tmp_path, api.url)
    api.lose_upload_response = 1
    with pytest.raises(ConnectionFailedError):
        submit(job, api_settings(api.url))
    assert manifest(job)["files"][0]["intent"] == "upload" and api.uploads == 1
    submit(job, api_settings(api.url))
    assert api.uploads == 1 and api.created == 1


def test_interrupted_between_the_upload_and_the_batch(
    tmp_path: Path, api: FakeBatchAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = prepared(tmp_path, api.url)
    create = openai.resources.batches.Batches.create

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(openai.resources.batches.Batches, "create", interrupted)
    with pytest.raises(KeyboardInterrupt):
        submit(job, api_settings(api.url))
    assert manifest(job)["files"][0]["input_file_id"] is not None
    monkeypatch.setattr(openai.resources.batches.Batches, "create", create)
    submit(job, api_settings(api.url))
    assert api.uploads == 1 and api.created == 1


def test_status_follows_each_batch_through_its_states(tmp_path: Path, api: FakeBatchAPI) -> None:
    job = prepared(tmp_path, api.url, n=4)
    settings = api_settings(api.url)
    submit(job, settings)
    seen = []
    for _ in range(4):
        st = status(job, settings)
        f = st.files[0]
        seen.append((f["batch_status"], f["counts"]["completed"]))
        api.step()
    assert seen == [("validating", 0), ("in_progress", 0), ("finalizing", 4), ("completed", 4)]
    assert status(job, settings).settled


def test_status_waits_until_every_batch_has_finished(tmp_path: Path) -> None:
    with FakeBatchAPI(auto_step=True, per_step=2) as api:
        job = prepared(tmp_path, api.url, n=4)
        settings = api_settings(api.url)
        submit(job, settings)
        polls: list[str] = []
        st = status(job, settings, wait=True, interval=0.001, on_poll=lambda s: polls.append(s.files[0]["batch_status"]))
        assert st.settled and st.files[0]["batch_status"] == "completed"
        assert polls[0] == "in_progress" and polls[-1] == "completed" and len(polls) >= 3


def test_cancel_stops_running_batches_once(tmp_path: Path) -> None:
    with FakeBatchAPI(per_step=2) as api:
        job = prepared(tmp_path, api.url, n=5)
        settings = api_settings(api.url)
        submit(job, settings)
        api.step()  # in progress
        api.step()  # two requests run
        cancelled = cancel(job, settings)
        assert [f["batch_status"] for f in cancelled] == ["cancelling"]
        assert cancel(job, settings) == []  # nothing more to cancel
        api.step()
        (f,) = status(job, settings).files
        assert f["batch_status"] == "cancelled" and f["counts"] == {"total": 5, "completed": 2, "failed": 3}
        assert api.cancels == 1


def test_a_batch_that_fails_validation_says_why(tmp_path: Path) -> None:
    with FakeBatchAPI(fail_validation=True) as api:
        job = prepared(tmp_path, api.url, n=2)
        submit(job, api_settings(api.url))
        api.step()
        st = status(job, api_settings(api.url))
        assert st.files[0]["batch_status"] == "failed"
        assert st.notes == ["r1-001: invalid_request: fake: validation failed"]


def test_a_job_answered_by_one_endpoint_is_not_sent_to_another(tmp_path: Path, api: FakeBatchAPI) -> None:
    job = prepared(tmp_path, api.url, max_requests=3)
    submit(job, api_settings(api.url))
    m = manifest(job)
    m["files"][1]["batch_id"] = None  # pretend the second file is still to send
    (Path(job) / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ConfigError, match="cannot go to"):
        submit(job, api_settings("http://elsewhere.invalid/v1"))
