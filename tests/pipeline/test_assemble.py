"""A draft grounded in its document: evidence located, unfound quotes flagged, page furniture never evidence
(summarizer.pipeline.assemble)."""

from __future__ import annotations

from summarizer.llm.drafts import SummaryDraft
from summarizer.pipeline.assemble import ground_draft
from summarizer.text.documents import document_from_text


def test_ground_draft_flags_unfound_quotes_and_drops_furniture() -> None:
    text = "The council voted 7 to 2 on Monday.\nMost Commented\n"
    doc = document_from_text(text)
    draft = SummaryDraft.model_validate(
        {
            "title": "t",
            "tldr": "t",
            "key_points": ["k"],
            "entities": [],
            "events": [],
            "claims": [
                {
                    "sentence": 1,
                    "quote": "voted 7 to 2",
                    "text": "The vote was 7-2.",
                    "kind": "fact",
                    "attribution": "article",
                },
                {
                    "sentence": 1,
                    "quote": "the mayor resigned",
                    "text": "The mayor resigned.",
                    "kind": "fact",
                    "attribution": "article",
                },
                {
                    "sentence": 2,
                    "quote": "Most Commented",
                    "text": "It is most commented.",
                    "kind": "fact",
                    "attribution": "article",
                },
                {
                    "sentence": 1,
                    "quote": "voted 7 to 2",
                    "text": "The vote was 7-2.",
                    "kind": "fact",
                    "attribution": "article",
                },
                {
                    "sentence": 1,
                    "quote": "the council voted seven to two on monday",
                    "text": "The council voted seven to two on Monday.",
                    "kind": "fact",
                    "attribution": "article",
                },
            ],
        }
    )
    claims, warnings = ground_draft(draft, doc)
    assert [c.text for c in claims] == [
        "The vote was 7-2.",
        "The mayor resigned.",
        "The council voted seven to two on Monday.",
    ]  # deduplicated, furniture dropped
    paraphrased = claims[2].evidence[0]  # words not verbatim: the cited sentence stands in, marked so
    assert (
        paraphrased.match == "sentence" and text[paraphrased.start : paraphrased.end] == text.splitlines()[0]
    )
    ok, bad, _ = claims
    assert ok.grounded and text[ok.evidence[0].start : ok.evidence[0].end] == "voted 7 to 2"
    assert not bad.grounded and bad.evidence[0].match == "not_found"
    assert any("ungrounded" in w for w in warnings) and any("furniture" in w for w in warnings)


def _draft(claims: list[dict[str, object]]) -> SummaryDraft:
    return SummaryDraft.model_validate(
        {"title": "t", "tldr": "t", "key_points": ["k"], "entities": [], "events": [], "claims": claims}
    )


def test_one_word_evidence_does_not_ground_a_claim() -> None:
    text = "The council voted 7 to 2 on Monday. The harbour bridge will close for repairs in the spring."
    doc = document_from_text(text)
    draft = _draft(
        [
            {"sentence": n, "quote": quote, "text": claim, "kind": "fact", "attribution": "article"}
            for n, quote, claim in [
                (1, "the", "The mayor resigned after the vote of the city board."),
                (2, ".", "Ferry fares will double next year for every commuter."),
                (1, "[1] The council voted 7 to 2", "The council voted 7 to 2."),
            ]
        ]
    )
    claims, warnings = ground_draft(draft, doc)
    by_text = {c.text: c for c in claims}
    for thin in (
        "The mayor resigned after the vote of the city board.",
        "Ferry fares will double next year for every commuter.",
    ):
        assert not by_text[thin].grounded
        assert [ev.match for ev in by_text[thin].evidence] == ["not_found"]
        assert any(thin in w for w in warnings)
    carried = by_text["The council voted 7 to 2."]
    assert carried.grounded and carried.evidence[0].match == "exact"
    ev = carried.evidence[0]
    assert text[ev.start : ev.end] == "The council voted 7 to 2"  # the [1] marker dropped
