"""The public result models (summarizer.types): one provenance base, and the JSON contract's field names."""

from __future__ import annotations

from summarizer.text.documents import document_from_text
from summarizer.types import CheckProvenance, Provenance, ProvenanceBase

SOURCE_FIELDS = {"source_sha256", "source_path", "source_chars", "created_at", "tool_version"}


def test_both_provenances_share_one_base_and_keep_their_field_names() -> None:
    assert issubclass(Provenance, ProvenanceBase) and issubclass(CheckProvenance, ProvenanceBase)
    assert set(ProvenanceBase.model_fields) == SOURCE_FIELDS
    assert set(Provenance.model_fields) == SOURCE_FIELDS | {"model", "prompt", "prompt_version", "response_format"}
    assert set(CheckProvenance.model_fields) == SOURCE_FIELDS | {"model", "prompts", "profile"}


def test_of_source_records_the_document() -> None:
    document = document_from_text("Caf\u00e9 text.\r\n", path="a.txt")
    prov = CheckProvenance.of_source(document, model=None, prompts={})
    assert (prov.source_sha256, prov.source_path, prov.source_chars) == (document.sha256, "a.txt", len(document.text))
    assert prov.created_at.tzinfo is not None and prov.tool_version
