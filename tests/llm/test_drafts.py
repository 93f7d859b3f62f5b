"""The drafts the model fills in (summarizer.llm.drafts): their limits come from config, as the prompts' do."""

from __future__ import annotations

import inspect
import re

import pytest
from pydantic import ValidationError

from summarizer import config
from summarizer.llm import drafts
from summarizer.llm.drafts import MergeDraft, SummaryDraft, strict_json_schema
from summarizer.pipeline.summary import build_messages
from summarizer.text.documents import document_from_text


def test_summary_schema_and_prompt_state_the_same_limits() -> None:
    props = strict_json_schema(SummaryDraft)["properties"]
    assert "key_points" not in props  # the summary's key points are its first claims
    assert props["claims"]["maxItems"] == config.MAX_CLAIMS
    assert props["entities"]["maxItems"] == config.MAX_ENTITIES
    assert props["events"]["maxItems"] == config.MAX_EVENTS
    assert strict_json_schema(MergeDraft)["properties"]["key_points"]["maxItems"] == config.MAX_MERGED_KEY_POINTS
    user = build_messages(document_from_text("One sentence here. Another one.\n"))[-1]["content"]
    assert f"at most {config.MAX_CLAIMS} claims" in user


def test_no_limit_is_written_as_a_number_in_the_drafts() -> None:
    source = inspect.getsource(drafts)
    assert not re.findall(r"(?:max|min)_length=\d*[2-9]\d*", source)  # min_length=1 is "not empty", not a limit


def test_the_summary_draft_asks_only_what_the_tool_cannot_derive() -> None:
    """Claims right after the TL;DR, each a sentence number and a short claim: no quote, kind, attribution
    or key points for the model to write (they are found or read off locally)."""
    schema = strict_json_schema(SummaryDraft)
    assert list(schema["properties"]) == ["title", "tldr", "claims", "entities", "events"]
    claim = schema["properties"]["claims"]["items"]
    assert "description" not in schema and "description" not in claim  # no notes to developers sent
    assert claim["properties"]["n"]["type"] == "integer" and claim["properties"]["claim"]["type"] == "string"
    assert claim["required"] == ["n", "claim"] and claim["additionalProperties"] is False
    assert list(schema["properties"]["events"]["items"]["properties"]) == ["date", "what"]


def test_a_draft_claim_with_the_old_fields_fails_validation() -> None:
    base = {"title": "t", "tldr": "t", "entities": [], "events": []}
    ok = SummaryDraft.model_validate({**base, "claims": [{"n": 2, "claim": "The council voted."}]})
    assert ok.claims[0].n == 2 and ok.key_points == ["The council voted."]
    for extra in ({"quote": "voted"}, {"kind": "fact"}, {"attribution": "article"}):
        with pytest.raises(ValidationError):
            SummaryDraft.model_validate({**base, "claims": [{"n": 2, "claim": "The council voted.", **extra}]})
    with pytest.raises(ValidationError):
        SummaryDraft.model_validate({**base, "claims": []})  # at least one claim
