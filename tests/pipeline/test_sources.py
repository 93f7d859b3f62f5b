"""What summarize and check take as the source (summarizer.pipeline.sources): text, a Document, a Path."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import check, summarize
from summarizer.errors import InputError
from summarizer.pipeline.sources import as_document
from summarizer.text.documents import document_from_text, load_document


def test_a_path_is_read_like_the_command_line_reads_it(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>The harbour bridge opened in 1932 after a long vote.</p>"
                    "</article></body></html>", encoding="utf-8")  # fmt: skip
    document = as_document(page)
    assert document == load_document(page) and "<p>" not in document.text and document.path == str(page)


def test_text_and_a_document() -> None:
    document = document_from_text("Some text.\r\nMore.")
    assert as_document(document) is document
    assert as_document("Some text.\r\nMore.").text == "Some text.\nMore."


def test_a_string_that_only_names_a_file_is_refused_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "article.txt").write_text("The article.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("article.txt", str(tmp_path / "article.txt"), "  article.txt\n"):
        with pytest.raises(InputError, match=r"is the name of a file.*Path\("):
            as_document(name)
    # no model is reached: the error comes first
    with pytest.raises(InputError, match="name of a file"):
        summarize("article.txt", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(InputError, match="name of a file"):
        check("article.txt", ["A claim."], mode="local")
    # a name that is no file, or a file name inside real text, is text
    assert as_document("missing.txt").text == "missing.txt"
    assert as_document("See article.txt for more.").text == "See article.txt for more."


def test_other_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"pathlib\.Path or a Document"):
        as_document(b"bytes")  # type: ignore[arg-type]
