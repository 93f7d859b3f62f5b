"""Tests for :mod:`summarizer.evaluation`: metric arithmetic, loading, grouping and the harness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.errors import InputError
from summarizer.evaluation import (
    STANCE_SUPPORTED_VS_REST,
    DocPredictions,
    EvalReport,
    Prediction,
    Row,
    balanced_accuracy,
    evaluate,
    floor_predictor,
    format_table,
    group_by_doc,
    load_rows,
    rules_predictor,
    save_report,
)
from summarizer.types import Usage

# --- balanced accuracy --------------------------------------------------------------------------------


def test_balanced_accuracy_two_classes():
    # recall on 1: 1/2, recall on 0: 2/2
    assert balanced_accuracy([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.75)
    assert balanced_accuracy([1, 0], [1, 0]) == 1.0
    assert balanced_accuracy([1, 0], [0, 1]) == 0.0


def test_balanced_accuracy_is_not_fooled_by_imbalance():
    labels = [0] * 9 + [1]
    assert balanced_accuracy(labels, [0] * 10) == pytest.approx(0.5)  # accuracy would be 0.9
    assert balanced_accuracy(labels, [1] * 10) == pytest.approx(0.5)


def test_balanced_accuracy_one_class_is_that_class_recall():
    assert balanced_accuracy([1, 1, 1, 1], [1, 1, 0, 0]) == pytest.approx(0.5)
    assert balanced_accuracy([0, 0], [0, 0]) == 1.0
    assert balanced_accuracy([0], [1]) == 0.0


def test_balanced_accuracy_rejects_bad_input():
    with pytest.raises(ValueError):
        balanced_accuracy([], [])
    with pytest.raises(ValueError):
        balanced_accuracy([1, 0], [1])


# --- loading ------------------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    rows = [
        {
            "id": f"r{i}",
            "doc": f"doc {i % 4}",
            "claim": f"claim {i}",
            "label": int(i % 3 == 0),
            "edit_types": [],
        }
        for i in range(30)
    ]
    return write_jsonl(tmp_path / "set.jsonl", rows)


def test_load_rows_reads_fields_and_extra(labelled: Path):
    rows = load_rows(labelled)
    assert len(rows) == 30
    assert rows[0] == Row(doc="doc 0", claim="claim 0", label=1, id="r0", extra={"edit_types": []})


def test_load_rows_limit_is_reproducible_and_stratified(labelled: Path):
    a = load_rows(labelled, limit=9, seed=3)
    b = load_rows(labelled, limit=9, seed=3)
    assert [r.id for r in a] == [r.id for r in b]
    assert len(a) == 9
    # 10 of 30 rows are positive: a third of the sample
    assert sum(r.label for r in a) == 3
    # file order is kept
    assert [r.id for r in a] == sorted((r.id for r in a), key=lambda x: int(x[1:]))
    samples = {tuple(r.id for r in load_rows(labelled, limit=9, seed=s)) for s in range(5)}
    assert len(samples) > 1


def test_load_rows_limit_above_size_returns_everything(labelled: Path):
    assert len(load_rows(labelled, limit=100)) == 30


def test_load_rows_maps_stances_and_names_rows(tmp_path: Path):
    path = write_jsonl(
        tmp_path / "stance.jsonl",
        [
            {"claim": "c1", "evidence": "e1", "stance": "completely-support"},
            {"claim": "c2", "evidence": "e2", "stance": "refute"},
            {"claim": "c3", "evidence": "e3", "stance": "irrelevant"},
            {"claim": "c4", "evidence": "e4", "stance": "partially-support"},
        ],
    )
    rows = load_rows(path)
    assert [(r.claim, r.doc, r.label) for r in rows] == [("c1", "e1", 1), ("c2", "e2", 0)]
    assert rows[0].id == "stance-1"
    assert rows[0].extra == {"stance": "completely-support"}
    assert [r.label for r in load_rows(path, stance_map=STANCE_SUPPORTED_VS_REST)] == [1, 0, 0, 0]


GOOD_ROW = '{"doc": "The toll stays.", "claim": "The toll stays.", "label": 1}\n'


@pytest.mark.parametrize(
    ("content", "where", "cause"),
    [
        (GOOD_ROW + '{"doc": "d", "claim": "c"}\n', "line 2", "no 'label'"),
        (GOOD_ROW + '{"doc": "d", "claim": "c", "label": "yes"}\n', "line 2", "label 'yes' is not 0 or 1"),
        (GOOD_ROW + '{"doc": "d", "claim": "c", "label": 0.5}\n', "line 2", "label 0.5 is not 0 or 1"),
        (GOOD_ROW + '{"doc": "d", "claim": "c", "label": null}\n', "line 2", "label None is not 0 or 1"),
        (GOOD_ROW + '\n{"claim": "c", "label": 1}\n', "line 3", "no 'doc'"),
        (GOOD_ROW + '{"doc": "d", "claim": "c", "label": 1\n', "line 2", "not valid JSON"),
        (GOOD_ROW + "[1, 2]\n", "line 2", "expected a JSON object"),
        ("", "", "no labelled rows"),
        ('{"doc": "d", "claim": "c", "stance": "irrelevant"}\n', "", "no labelled rows (1 with stances"),
    ],
    ids=["no-label", "word-label", "fraction-label", "null-label", "no-doc", "bad-json", "not-object", "empty", "unmapped"],
)
def test_load_rows_errors_name_the_file_and_the_line(tmp_path: Path, content: str, where: str, cause: str):
    path = tmp_path / "set.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_rows(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: {where}" if where else f"{path}: ") and cause in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (lambda p: None, "file not found"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "looks like a binary file"),
        (lambda p: p.write_bytes(GOOD_ROW.encode() + b'{"doc": "caf\xe9"}\n'), "line 2: not UTF-8 text"),
    ],
    ids=["missing", "folder", "binary", "latin-1"],
)
def test_load_rows_unreadable_files_are_input_errors(tmp_path: Path, make: Any, cause: str):
    path = tmp_path / "set.jsonl"
    make(path)
    with pytest.raises(InputError) as excinfo:
        load_rows(path)
    assert str(excinfo.value).startswith(f"{path}: ") and cause in str(excinfo.value)


def test_load_rows_accepts_labels_as_booleans_and_strings(tmp_path: Path):
    rows = [{"doc": "d", "claim": f"c{i}", "label": label} for i, label in enumerate([True, 0, "1", 1.0])]
    assert [r.label for r in load_rows(write_jsonl(tmp_path / "set.jsonl", rows))] == [1, 0, 1, 1]


@pytest.mark.parametrize("content", [None, b"\x00\x01binary", b'{"doc": "d", "claim": "c"}\n', b"{oops\n",
                                     b'{"doc": " ", "claim": "c", "label": 1}\n',
                                     b'{"doc": "d", "claim": "", "label": 0}\n'])  # fmt: skip
def test_eval_command_bad_dataset_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None
):
    """`summarizer eval` with a missing, binary or malformed file gave a traceback."""
    from summarizer import cli

    path = tmp_path / "set.jsonl"
    if content is not None:
        path.write_bytes(content)
    code = cli.main(["eval", str(path), "--mode", "local"])
    out, err = capsys.readouterr()
    assert code == InputError.exit_code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"summarizer: error: {path}: ")


def test_group_by_doc_keeps_first_seen_order():
    rows = [Row("B", "1", 1, "a"), Row("A", "2", 0, "b"), Row("B", "3", 0, "c")]
    groups = group_by_doc(rows)
    assert list(groups) == ["B", "A"]
    assert [r.id for r in groups["B"]] == ["a", "c"]


# --- the harness --------------------------------------------------------------------------------------


ROWS = [
    Row("doc one", "claim yes", 1, "a"),
    Row("doc two", "claim no", 0, "b"),
    Row("doc one", "claim no", 0, "c"),
    Row("doc two", "claim yes", 1, "d"),
]


def fake_model(doc: str, claims: list[str]) -> DocPredictions:
    """Says 1 unless the claim contains "no"; one call per document, 10 prompt tokens per claim."""
    usage = Usage(calls=1, prompt_tokens=10 * len(claims), completion_tokens=len(claims))
    preds = [Prediction(0 if "no" in c.split() else 1, settled_locally=False) for c in claims]
    return DocPredictions(preds, usage)


def test_evaluate_with_usage_reporting_predictor():
    seen: list[str] = []

    def predict(doc: str, claims: list[str]) -> DocPredictions:
        seen.append(doc)
        return fake_model(doc, claims)

    report = evaluate(ROWS, predict, name="fake", dataset="tiny")
    assert seen == ["doc one", "doc two"]  # each document once
    assert report.n == 4
    assert report.balanced_accuracy == 1.0
    assert (report.recall_pos, report.recall_neg) == (1.0, 1.0)
    assert (report.calls, report.prompt_tokens, report.completion_tokens) == (2, 40, 4)
    assert report.settled_locally == 0.0
    assert report.settled_precision is None
    assert [p.id for p in report.predictions] == ["a", "b", "c", "d"]  # the rows' order, not the groups'


def test_evaluate_with_plain_tuples():
    def always_one_settled(doc: str, claims: list[str]) -> list[tuple[int, bool]]:
        return [(1, True) for _ in claims]

    report = evaluate(ROWS, always_one_settled)
    assert report.balanced_accuracy == 0.5
    assert report.recall_neg == 0.0
    assert report.settled_locally == 1.0
    assert report.settled_precision == 0.5
    assert report.calls == 0


def test_evaluate_rejects_wrong_number_of_predictions():
    with pytest.raises(ValueError):
        evaluate(ROWS, lambda doc, claims: [(1, False)])


def test_report_dict_and_save(tmp_path: Path):
    report = evaluate(ROWS, fake_model, name="fake", dataset="tiny")
    data = report.to_dict()
    for key in (
        "n",
        "balanced_accuracy",
        "recall_pos",
        "recall_neg",
        "calls",
        "prompt_tokens",
        "completion_tokens",
        "seconds",
        "settled_locally",
        "predictions",
        "by_verdict",
    ):
        assert key in data
    assert data["n_pos"] == 2 and data["n_neg"] == 2
    path = save_report(report, tmp_path / "out" / "report.json")
    assert json.loads(path.read_text(encoding="utf-8"))["balanced_accuracy"] == 1.0
    assert "predictions" not in report.to_dict(with_predictions=False)
    assert "| tiny | fake | 4 | 100.0 |" in format_table([report])


def test_floor_predictor_flags_unknown_numbers_and_names():
    rows = [
        Row("Ann paid 40 dollars in Paris.", "Ann paid 40 dollars.", 1, "1"),
        Row("Ann paid 40 dollars in Paris.", "Ann paid 45 dollars.", 0, "2"),
        Row("Ann paid 40 dollars in Paris.", "Ann paid in Rome.", 0, "3"),
        Row("Ann paid 40 dollars in Paris.", "she paid in paris.", 1, "4"),
    ]
    report = evaluate(rows, floor_predictor())
    assert [p.pred for p in report.predictions] == [1, 0, 0, 1]
    assert report.settled_locally == 0.5  # its flags count as settled, its default does not


def test_rules_predictor_settles_only_decided_claims():
    doc = "The museum reopened in 2019 after a fire. Director Ana Ruiz said visitors had returned."
    rows = [
        Row(doc, "The museum reopened in 2019 after a fire.", 1, "verbatim"),
        Row(doc, "The museum reopened in 2021 after a fire.", 0, "year"),
        Row(doc, "Visitors came back, Ana Ruiz said.", 1, "paraphrase"),
    ]
    report = evaluate(rows, rules_predictor())
    by_id = {p.id: p for p in report.predictions}
    assert (by_id["verbatim"].pred, by_id["verbatim"].settled_locally) == (1, True)
    assert by_id["verbatim"].verdict == "supported"
    assert (by_id["year"].pred, by_id["year"].verdict) == (0, "contradicted")
    assert (by_id["paraphrase"].pred, by_id["paraphrase"].settled_locally) == (1, False)
    assert report.settled_locally == pytest.approx(2 / 3)
    assert report.settled_precision == 1.0
    assert report.calls == 0
    assert isinstance(report, EvalReport)


def test_eval_writes_its_report_and_diagram_to_two_files_even_when_the_report_is_named_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`eval -o r.png` used to write the JSON report to r.png and then the diagram over it."""
    from summarizer import cli

    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps({"doc": "Tickets cost 12 euros. The ferry sails at night.",
                                        "claim": claim, "label": label}) + "\n"
                            for claim, label in [("Tickets cost 12 euros.", 1), ("Tickets cost 15 euros.", 0),
                                                 ("The ferry sails at night.", 1), ("The ferry sails at noon.", 0)]),
                    encoding="utf-8")  # fmt: skip
    code = cli.main(["eval", str(path), "--mode", "local", "-o", str(tmp_path / "r.png")])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads((tmp_path / "r.png").read_text(encoding="utf-8"))["dataset"] == "set"
    assert (tmp_path / "r.png.reliability.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv", [["--limit", "0"], ["--limit", "-1"], ["-o", "{data}"]])
def test_eval_refuses_a_limit_below_one_and_an_output_over_its_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
):
    from summarizer import cli

    path = tmp_path / "set.jsonl"
    path.write_text('{"doc": "d", "claim": "c", "label": 1}\n{"doc": "d", "claim": "e", "label": 0}\n')
    before = path.read_text()
    try:
        code = cli.main(["eval", str(path), "--mode", "floor", *(a.format(data=path) for a in argv)])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code  # type: ignore[assignment]
    _, err = capsys.readouterr()
    assert code == (3 if argv[0] == "-o" else 2)
    assert err.strip().splitlines()[-1].startswith("summarizer")
    assert path.read_text() == before


def test_load_rows_refuses_a_limit_below_one(labelled: Path):
    for limit in (0, -1):
        with pytest.raises(ValueError, match="limit must be at least 1"):
            load_rows(labelled, limit=limit)
