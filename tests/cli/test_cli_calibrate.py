"""``summarizer calibrate`` (fit a profile from labelled rows) and ``summarizer eval`` with probabilities.

The model is the in-process fake OpenAI-compatible server (tests/_support/fake_openai_server.py): it answers
scoring calls with P(Yes) growing with the share of the claim's words the document holds — a fixture."""

from __future__ import annotations

import json
from pathlib import Path

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
