"""``summarizer calibrate`` (fit a profile from labelled rows) and ``summarizer eval`` with probabilities.

The model is the in-process fake OpenAI-compatible server (tests/_support/fake_openai_server.py): it answers
scoring calls with P(Yes) growing with the share of the claim's words the document holds — a fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer import cli, config
from summarizer.calibration.profile import load_profile
from tests._support.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake server is on loopback

DOCS = [
    "The ferry to Isle Kettery leaves at nine. Tickets cost 12 euros. The captain is Ines Halvard.",
    "The museum reopened on Friday after a renovation. Its director is Pavla Kral. Entry is free on Sundays.",
    "The council approved the new bridge. Work starts in March. The mayor expects less traffic.",
]

def rows() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for d, doc in enumerate(DOCS):
        sentences = [s.strip() + "." for s in doc.split(".") if s.strip()]
        for i, sentence in enumerate(sentences):
            out.append({"id": f"d{d}-s{i}", "doc": doc, "claim": sentence, "label": 1})
            out.append({"id": f"d{d}-x{i}", "doc": doc, "claim": f"Nobody talked about weather patterns {i} today.",
                        "label": 0})  # fmt: skip
            out.append({"id": f"d{d}-p{i}", "doc": doc, "claim": sentence.replace("The", "Their").replace(".", " often."),
                        "label": 1 if i % 2 else 0})  # fmt: skip
    return out


def write_rows(path: Path) -> str:
    path.write_text("\n".join(json.dumps(r) for r in rows()) + "\n", encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_calibrate_fits_a_valid_profile_and_a_refit_costs_no_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    examples = str(tmp_path / "examples.jsonl")
    with FakeOpenAIServer() as server:
        code, out, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                             "-o", str(tmp_path / "p.json"), "--examples", examples)  # fmt: skip
        assert code == 0, err
        first = server.counts()["requests"]
        # every claim is scored (none settled first), one claim sentence a call, each distinct one once
        assert config.SCORE_CLAIMS_PER_CALL == 1 and first == len({(r["doc"], r["claim"]) for r in rows()})
        assert all(len(call) == 1 for call in server.scored_claims)
        profile = load_profile(tmp_path / "p.json")
        assert profile.name == "acme-7b" and profile.models == ["acme-7b"]
        assert profile.fused.weights["model_logit"] > 0  # the fake's P(Yes) carries the label
        assert profile.fitted_on[0].file == "news" and profile.fitted_on[0].rows == len(rows())
        assert "news:" in out and "AUC" in out and "settle with no call" in out
        assert "fitting on 3 documents: fewer than 100 fit poorly" in err  # a warning, and the fit goes on
        code, _, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                           "-o", str(tmp_path / "p2.json"), "--examples", examples)  # fmt: skip
        assert code == 0, err
        assert server.counts()["requests"] == first  # every row's log-odds came from the examples file
    assert load_profile(tmp_path / "p2.json").fused == profile.fused


def test_calibrate_searches_the_threshold_or_sets_it_at_the_share_supported_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    examples = str(tmp_path / "examples.jsonl")
    share = sum(r["label"] == 1 for r in rows()) / len(rows())
    with FakeOpenAIServer() as server:
        for rule in ("rate", "best"):
            code, out, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url, "--threshold",
                                 rule, "-o", str(tmp_path / f"{rule}.json"), "--examples", examples)  # fmt: skip
            assert code == 0, err
    rate, best = load_profile(tmp_path / "rate.json"), load_profile(tmp_path / "best.json")
    assert rate.fused.threshold == rate.local.threshold == round(share, 3)
    assert best.fused.weights == rate.fused.weights and best.fused.threshold != rate.fused.threshold
    assert f"supported from p >= {best.fused.threshold:.2f}" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["calibrate", data, "-o", str(tmp_path / "x.json"), "--threshold", "median"])
    assert exc.value.code == 2 and "invalid choice: 'median'" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_calibrate_weighs_the_lexical_features_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    examples = str(tmp_path / "examples.jsonl")
    with FakeOpenAIServer() as server:
        for name, extra in (("default", []), ("lexical", ["--lexical"])):
            code, _, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url, *extra,
                               "-o", str(tmp_path / f"{name}.json"), "--examples", examples)  # fmt: skip
            assert code == 0, err
    default, lexical = load_profile(tmp_path / "default.json"), load_profile(tmp_path / "lexical.json")
    excluded = set(config.CALIBRATION_EXCLUDED_FEATURES)
    assert "model_logit" in default.fused.weights
    for model in (default.fused, default.local):
        assert not set(model.weights) & excluded
    for model in (lexical.fused, lexical.local):
        assert excluded <= set(model.weights)


def test_a_profile_from_calibrate_is_used_by_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    source = tmp_path / "doc.txt"
    source.write_text(DOCS[0], encoding="utf-8")
    with FakeOpenAIServer() as server:
        assert run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                   "-o", str(tmp_path / "p.json"))[0] == 0  # fmt: skip
        code, out, err = run(capsys, "check", str(source), "--claim", "Tickets cost 12 euros.", "-m", "acme-7b",
                             "--base-url", server.url, "--profile", str(tmp_path / "p.json"), "-f", "json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["provenance"]["profile"] == "acme-7b"


def test_calibrate_refuses_an_unwritable_output_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    with FakeOpenAIServer() as server:
        code, _, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                           "-o", str(tmp_path / "missing" / "p.json"))  # fmt: skip
        assert code == 3 and "folder does not exist" in err and server.counts()["requests"] == 0


def test_eval_reports_auc_and_ece_and_writes_the_reliability_diagram(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    out_json = tmp_path / "eval" / "local.json"
    (tmp_path / "eval").mkdir()
    code, out, err = run(capsys, "eval", data, "--mode", "local", "-o", str(out_json))
    assert code == 0, err
    assert "| AUC | ECE |" in out
    report = json.loads(out_json.read_text())
    assert report["auc"] is not None and 0 <= report["ece"] <= 1 and len(report["reliability"]) == 10
    assert all(p["probability"] is not None for p in report["predictions"])
    png = out_json.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_of_a_mode_without_probabilities_reports_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    code, _out, err = run(capsys, "eval", data, "--mode", "floor", "-o", str(tmp_path / "floor.json"))
    assert code == 0, err
    report = json.loads((tmp_path / "floor.json").read_text())
    assert report["auc"] is None and report["ece"] is None
    assert not (tmp_path / "floor.png").exists()


def test_calibrate_temperature_asks_the_fit_to_temper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.calibration import calibrate

    real = calibrate.calibrate_rows
    asked: list[bool] = []

    def spy(*args: object, **kwargs: object) -> calibrate.Calibration:
        asked.append(bool(kwargs["temperature"]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(calibrate, "calibrate_rows", spy)
    data = write_rows(tmp_path / "news.jsonl")
    with FakeOpenAIServer() as server:
        for flag in ([], ["--temperature"]):
            code, _, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                               "-o", str(tmp_path / "p.json"), *flag)  # fmt: skip
            assert code == 0, err
            assert load_profile(tmp_path / "p.json").fused.temperature == 1.0  # one file: nothing held out
    assert asked == [False, True]


def test_calibrate_with_several_claims_a_call_never_lists_two_rows_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A labelled set holds edited variants of one sentence: listed in one call, the model would compare
    them, which no real check does. Each row's own sentences share a call; no other row's do."""
    two_sentences = {"id": "d0-two", "doc": DOCS[0], "claim": "The ferry leaves at nine. Tickets cost 12 euros.",
                     "label": 1}  # fmt: skip
    data = tmp_path / "news.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in [*rows(), two_sentences]) + "\n", encoding="utf-8")
    with FakeOpenAIServer() as server:
        code, _, err = run(capsys, "calibrate", str(data), "-m", "acme-7b", "--base-url", server.url,
                           "--claims-per-call", "9", "-o", str(tmp_path / "p.json"))  # fmt: skip
        assert code == 0, err
        assert load_profile(tmp_path / "p.json").claims_per_call == 9
    claims = [str(r["claim"]) for r in [*rows(), two_sentences]]
    assert len(server.scored_claims) == len(claims)  # one call a row
    for call in server.scored_claims:
        assert any(all(line in claim for line in call) for claim in claims), call
    assert ["The ferry leaves at nine.", "Tickets cost 12 euros."] in server.scored_claims


# --- bad input: a one-line error, no traceback, and no model call paid for ------------------------------


def calibrate_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str
) -> tuple[int, str]:
    """Run calibrate on bad input against the fake server: its exit code and its one-line error; no call."""
    with FakeOpenAIServer() as server:
        code, _, err = run(capsys, "calibrate", *argv, "-m", "acme-7b", "--base-url", server.url,
                           "-o", str(tmp_path / "p.json"))  # fmt: skip
        assert server.counts()["requests"] == 0, err
    assert code != 0 and err.startswith("summarizer: error: ") and err.count("\n") == 1, err
    assert not (tmp_path / "p.json").exists()
    return code, err


SAVED = json.dumps({"id": "d0-s0", "domain": "news", "label": 1, "features": {}, "findings": [],
                    "local_verdict": None, "logit": 1.5})  # fmt: skip


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_text(f"{SAVED}\nnot json\n{SAVED}\n"), "ex.jsonl: line 2: not valid JSON"),
        (lambda p: p.write_text('{"foo": 1}\n'), "ex.jsonl: line 1: not a saved example (unexpected field 'foo')"),
        (lambda p: p.write_bytes(b"\x00\x01 binary"), "ex.jsonl: looks like a binary file"),
        (lambda p: p.write_bytes('{"id": "caf\u00e9"}\n'.encode("latin-1")), "ex.jsonl: line 1: not UTF-8 text"),
        (lambda p: p.write_text(json.dumps(rows()[0]) + "\n"), "ex.jsonl: line 1: a labelled dataset row"),
        (lambda p: p.mkdir(), "ex.jsonl: is a folder"),
    ],
)
def test_a_bad_examples_file_is_a_one_line_error_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, expected: str
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    make(tmp_path / "ex.jsonl")
    code, err = calibrate_fails(capsys, tmp_path, data, "--examples", str(tmp_path / "ex.jsonl"))
    assert code in (2, 3) and f"{tmp_path}/{expected}" in err


def test_the_dataset_given_as_the_examples_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    code, err = calibrate_fails(capsys, tmp_path, data, "--examples", data)
    assert code == 2 and f"{data}: line 1: a labelled dataset row, not a saved example" in err
    assert (tmp_path / "news.jsonl").read_text() == "\n".join(json.dumps(r) for r in rows()) + "\n"  # untouched


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"id": "d0-s0", "logit": 1.0}\nnot json\n', "line 2: not valid JSON"),
        ('{"logit": 1.0}\n', 'line 1: "id" must be a string'),
        ('{"id": "d0-s0", "logit": "high"}\n', "line 1: logit must be a number or null, not 'high'"),
        ('{"id": "d0-s0", "logit": NaN}\n', "line 1: logit must be a finite number, not nan"),
        (None, "is a folder"),
    ],
)
def test_a_bad_scores_file_is_a_one_line_error_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    scores = tmp_path / "ex.jsonl.scores"
    scores.mkdir() if content is None else scores.write_text(content, encoding="utf-8")
    code, err = calibrate_fails(capsys, tmp_path, data, "--examples", str(tmp_path / "ex.jsonl"))
    assert code in (2, 3) and f"{scores}: {expected}" in err


@pytest.mark.parametrize("command", ["calibrate", "eval"])
@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_limit_below_one_is_refused_by_the_argument_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, limit: str
) -> None:
    data = write_rows(tmp_path / "news.jsonl")
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, data, "--limit", limit, "-o", str(tmp_path / "p.json")])
    assert exit_info.value.code == 2 and "argument --limit: must be at least 1" in capsys.readouterr().err


def test_rows_of_one_label_are_refused_before_any_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    supported = tmp_path / "supported.jsonl"
    supported.write_text("\n".join(json.dumps({**r, "label": 1}) for r in rows()) + "\n", encoding="utf-8")
    code, err = calibrate_fails(capsys, tmp_path, str(supported))
    assert code == 2 and "every row of supported is labelled 1 (consistent): fitting needs rows of both" in err
    # one row a file: one label, whatever the file holds
    code, err = calibrate_fails(capsys, tmp_path, write_rows(tmp_path / "news.jsonl"), "--limit", "1")
    assert code == 2 and "fitting needs rows of both labels" in err


def test_an_examples_file_in_a_missing_folder_is_refused_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Else the log-odds paid for would have nowhere to go (they were lost: 9 calls, then a traceback)."""
    data = write_rows(tmp_path / "news.jsonl")
    code, err = calibrate_fails(capsys, tmp_path, data, "--examples", str(tmp_path / "nodir" / "ex.jsonl"))
    assert code == 3 and "nodir/ex.jsonl: the folder does not exist" in err


def test_bad_input_is_refused_before_the_model_server_is_started(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    from collections.abc import Iterator

    from summarizer import llama_server

    started: list[object] = []

    @contextlib.contextmanager
    def backend(settings: object) -> Iterator[object]:  # a local server would start here
        started.append(settings)
        yield settings

    monkeypatch.setattr(llama_server, "backend", backend)
    supported = tmp_path / "supported.jsonl"
    supported.write_text("\n".join(json.dumps({**r, "label": 1}) for r in rows()) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "calibrate", str(supported), "-m", "acme-7b", "--base-url", "http://127.0.0.1:9",
                       "-o", str(tmp_path / "p.json"))  # fmt: skip
    assert code == 2 and "fitting needs rows of both labels" in err and started == []


def test_two_files_with_one_name_are_two_domains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Keyed by stem, db/dev.jsonl replaced da/dev.jsonl (and their rows' default ids clashed)."""
    for folder, some in (("da", rows()[:15]), ("db", rows()[12:])):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "dev.jsonl").write_text(
            "\n".join(json.dumps({k: v for k, v in r.items() if k != "id"}) for r in some) + "\n", encoding="utf-8"
        )
    with FakeOpenAIServer() as server:
        code, out, err = run(capsys, "calibrate", str(tmp_path / "da" / "dev.jsonl"), str(tmp_path / "db" / "dev.jsonl"),
                             "-m", "acme-7b", "--base-url", server.url, "-o", str(tmp_path / "p.json"),
                             "--examples", str(tmp_path / "ex.jsonl"))  # fmt: skip
        assert code == 0, err
    fitted = [(f.file, f.rows) for f in load_profile(tmp_path / "p.json").fitted_on]
    assert fitted == [("da/dev", 15), ("db/dev", len(rows()) - 12)]
    assert "da/dev:" in out and "db/dev:" in out
    saved = [json.loads(line) for line in (tmp_path / "ex.jsonl").read_text().splitlines()]
    assert len(saved) == len(rows()) + 3 and len({ex["id"] for ex in saved}) == len(saved)
    assert {ex["domain"] for ex in saved} == {"da/dev", "db/dev"}


def test_the_same_file_given_twice_is_fitted_on_once_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_rows(tmp_path / "news.jsonl")
    with FakeOpenAIServer() as server:
        code, _, err = run(capsys, "calibrate", data, "news.jsonl", "-m", "acme-7b", "--base-url", server.url,
                           "-o", "p.json")  # fmt: skip
        assert code == 0, err
    assert "are the same file: it is fitted on once" in err
    assert [(f.file, f.rows) for f in load_profile(tmp_path / "p.json").fitted_on] == [("news", len(rows()))]


def test_a_fit_that_fails_after_the_calls_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Saved log-odds for the supported rows only: nothing is asked, and the fused fit has one label."""
    data = write_rows(tmp_path / "news.jsonl")
    scores = tmp_path / "ex.jsonl.scores"
    scores.write_text("".join(json.dumps({"id": r["id"], "logit": 2.0 if r["label"] else None}) + "\n"
                              for r in rows()), encoding="utf-8")  # fmt: skip
    with FakeOpenAIServer() as server:
        code, _, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                           "-o", str(tmp_path / "p.json"), "--examples", str(tmp_path / "ex.jsonl"))  # fmt: skip
        assert server.counts()["requests"] == 0
    last = err.splitlines()[-1]  # after the warning on the few documents
    assert code == 2 and "Traceback" not in err
    assert last.startswith("summarizer: error: cannot fit a profile: fitting needs rows of both labels")
    assert last.endswith(f"the examples are saved in {tmp_path / 'ex.jsonl'}") and (tmp_path / "ex.jsonl").exists()


def test_calibrate_never_writes_its_profile_over_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The sweep lost a dataset and a file of paid examples to `-o` naming them."""
    data = write_rows(tmp_path / "news.jsonl")
    examples = tmp_path / "ex.jsonl"
    examples.write_text("", encoding="utf-8")
    with FakeOpenAIServer() as server:
        for target in (data, str(examples), f"{examples}.scores"):
            before = Path(target).read_text(encoding="utf-8") if Path(target).exists() else None
            code, _, err = run(capsys, "calibrate", data, "-m", "acme-7b", "--base-url", server.url,
                               "--examples", str(examples), "-o", target)  # fmt: skip
            assert code == 3 and "is also an input" in err and server.counts()["requests"] == 0
            after = Path(target).read_text(encoding="utf-8") if Path(target).exists() else None
            assert after == before


def test_hold_out_prints_each_file_scored_by_the_profile_fitted_on_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rows() split in two files by document; each held-out line's threshold (the rate rule) is the other
    file's share."""
    files = {"news": [r for r in rows() if str(r["id"]).startswith("d0")],
             "notes": [r for r in rows() if not str(r["id"]).startswith("d0")]}  # fmt: skip
    for name, some in files.items():
        (tmp_path / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in some) + "\n", encoding="utf-8")
    with FakeOpenAIServer() as server:
        code, out, err = run(capsys, "calibrate", str(tmp_path / "news.jsonl"), str(tmp_path / "notes.jsonl"),
                             "-m", "acme-7b", "--base-url", server.url, "-o", str(tmp_path / "p.json"), "--hold-out",
                             "--threshold", "rate")  # fmt: skip
    assert code == 0, err
    held = out[out.index("each file held out"):]
    for name, other in (("news", "notes"), ("notes", "news")):
        share = sum(r["label"] == 1 for r in files[other]) / len(files[other])
        line = next(x for x in held.splitlines() if x.strip().startswith(f"{name}:"))
        assert f"{len(files[name])} rows" in line and f"at p >= {share:.2f}" in line and "ECE" in line
    with FakeOpenAIServer() as server:
        code, _, err = run(capsys, "calibrate", str(tmp_path / "news.jsonl"), "-m", "acme-7b", "--base-url",
                           server.url, "-o", str(tmp_path / "q.json"), "--hold-out")  # fmt: skip
        assert code == 2 and "needs two labelled files or more" in err and server.counts()["requests"] == 0
    assert not (tmp_path / "q.json").exists()
