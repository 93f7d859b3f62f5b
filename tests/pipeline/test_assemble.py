"""A draft grounded in its document: each claim located from its own words within the sentence it cites,
unfound claims flagged, page furniture never evidence, kind and attribution read off the evidence
(summarizer.pipeline.assemble)."""

from __future__ import annotations

from typing import Any

from summarizer import config
from summarizer.llm.drafts import SummaryDraft
from summarizer.pipeline.assemble import as_read, dated_events, entities, ground_draft, key_points
from summarizer.pipeline.summary import build_messages
from summarizer.text.documents import document_from_text
from summarizer.text.grounding import normalize


def draft(*claims: tuple[int, str], **fields: Any) -> SummaryDraft:
    return SummaryDraft.model_validate(
        {
            "title": "t",
            "tldr": "t",
            "entities": [],
            "events": [],
            "claims": [{"n": n, "claim": claim} for n, claim in claims],
            **fields,
        }
    )


def test_ground_draft_flags_unfound_claims_and_drops_furniture() -> None:
    text = "The council voted 7 to 2 on Monday.\nMost Commented\n"
    doc = document_from_text(text)
    claims, warnings = ground_draft(
        draft(
            (1, "The council voted 7 to 2."),
            (1, "The mayor resigned."),
            (2, "Most Commented"),
            (1, "The council voted 7 to 2."),
            (1, "The council's vote on Monday was 7 to 2."),
        ),
        doc,
    )
    assert [c.text for c in claims] == [
        "The council voted 7 to 2.",
        "The mayor resigned.",
        "The council's vote on Monday was 7 to 2.",
    ]  # deduplicated, furniture dropped
    verbatim, bad, reworded = claims
    assert verbatim.grounded and verbatim.evidence[0].match == "exact"
    assert text[verbatim.evidence[0].start : verbatim.evidence[0].end] == "The council voted 7 to 2"
    assert not bad.grounded and bad.evidence[0].match == "not_found"
    # reworded: the stretch of the cited sentence holding all its words, verbatim from the source
    ev = reworded.evidence[0]
    assert (
        ev.match == "fuzzy"
        and ev.score == 1.0
        and ev.quote == text[ev.start : ev.end] == "council voted 7 to 2 on Monday"
    )
    assert any("ungrounded" in w for w in warnings) and any("furniture" in w for w in warnings)


def test_a_claim_sharing_a_word_or_two_with_the_source_is_not_grounded() -> None:
    text = "The council voted 7 to 2 on Monday. The harbour bridge will close for repairs in the spring."
    claims, warnings = ground_draft(
        draft(
            (1, "The mayor resigned after the vote of the city board."),
            (2, "Ferry fares will double next year for every commuter."),
            (1, "[1] The council voted 7 to 2."),
        ),
        document_from_text(text),
    )
    by_text = {c.text: c for c in claims}
    for thin in (
        "The mayor resigned after the vote of the city board.",
        "Ferry fares will double next year for every commuter.",
    ):
        assert not by_text[thin].grounded
        assert [ev.match for ev in by_text[thin].evidence] == ["not_found"]
        assert any(thin in w for w in warnings)
    carried = by_text["The council voted 7 to 2."]  # the [1] marker the model copied is dropped
    assert carried.grounded and carried.evidence[0].match == "exact"
    ev = carried.evidence[0]
    assert text[ev.start : ev.end] == "The council voted 7 to 2"


def test_kind_and_attribution_are_read_off_the_evidence() -> None:
    text = (
        "The bridge opened in 1941. The vote, rumored to be set for May 1, would be the largest yet. "
        "The repairs are expected to last 30 months. Mayor Elena Varga said the city cannot wait. "
        "According to the Department of Transport, the repairs will cost 212 million dollars."
    )
    claims, _ = ground_draft(
        draft(
            (1, "The bridge opened in 1941."),
            (2, "The vote is set for May 1."),
            (3, "The repairs will last 30 months."),
            (4, "The city cannot wait."),
            (5, "The repairs will cost 212 million dollars."),
        ),
        document_from_text(text),
    )
    assert [(c.kind, c.attribution) for c in claims] == [
        ("fact", "article"),
        ("speculation", "article"),  # "rumored", in the clause the evidence stands in
        ("prediction", "article"),  # "is expected to"
        ("fact", "Mayor Elena Varga"),  # "X said"
        ("fact", "the Department of Transport"),  # "according to X"
    ]
    assert all(c.grounded for c in claims)


def test_entities_each_name_once() -> None:
    d = draft(
        (1, "The council voted."),
        entities=[
            {"name": "Elena Varga", "type": "person"},
            {"name": "Port Aldine", "type": "organization"},
            {"name": " port aldine", "type": "location"},  # a name given twice: its first type
            {"name": "None", "type": "other"},  # no name, as the local model sometimes writes it
        ],
    )
    assert [(e.name, e.type) for e in entities(d)] == [
        ("Elena Varga", "person"),
        ("Port Aldine", "organization"),
    ]


def test_key_points_are_the_first_grounded_claims() -> None:
    text = " ".join(f"Pier {k} reopened on day {k} after repairs." for k in range(1, 10))
    document = document_from_text(text)
    pier = [(k, f"Pier {k} reopened on day {k}") for k in range(1, 9)]
    first, _ = ground_draft(draft((1, "The mayor resigned."), *pier[:5]), document)  # not in the source
    more, _ = ground_draft(draft(*pier[5:]), document)  # a long document's parts give more claims
    claims = first + more
    assert [c.grounded for c in claims] == [False] + [True] * 8
    assert key_points(claims) == [
        f"Pier {k} reopened on day {k}" for k in range(1, config.MAX_KEY_POINTS + 1)
    ]
    assert key_points(claims[:1]) == ["The mayor resigned."]  # none grounded: the claims as they are


def test_the_model_reads_typographic_quotes_and_the_claim_is_still_located() -> None:
    """A straight quote of the source, copied into a JSON string, ended the claim there; the model reads
    “ ” instead, and the claim it writes with them is located in the source's straight quotes."""
    text = 'Mayor Elena Varga said the council "cannot wait another winter" to start the work.'
    assert as_read(f"[1] {text}") == "[1] Mayor Elena Varga said the council \u201ccannot wait another winter\u201d to start the work."
    assert as_read('(\"a\") -\"b\"') == "(\u201ca\u201d) -\u201cb\u201d"
    user = build_messages(document_from_text(text + "\n"))[-1]["content"]
    assert '"' not in user.split("<document>")[1] and "\u201ccannot" in user
    claims, warnings = ground_draft(
        draft((1, "Mayor Elena Varga said the council \u201ccannot wait another winter\u201d")),
        document_from_text(text),
    )
    (ev,) = claims[0].evidence
    assert ev.match in ("exact", "normalized") and text[ev.start : ev.end] == ev.quote and '"cannot' in ev.quote
    assert claims[0].attribution == "Mayor Elena Varga" and not warnings


def test_he_or_she_is_attributed_to_the_speaker_named_just_before() -> None:
    text = (
        "Councillor Tomas Reyes said the estimate had not been reviewed. "
        "He proposed that the vote be postponed. "
        'Mayor Elena Varga told reporters the city cannot wait. "Every month adds to the bill," she said. '
        "He was born in 1970."
    )
    claims, _ = ground_draft(
        draft(
            (2, "The vote should be postponed, Councillor Tomas Reyes proposed."),  # named in the claim
            (2, "He proposed that the vote be postponed"),  # named in the sentence before
            (4, "Every month adds to the bill"),
            (5, "He was born in 1970"),  # no one quoted: the article's
        ),
        document_from_text(text),
    )
    assert [c.attribution for c in claims] == [
        "Councillor Tomas Reyes",
        "Councillor Tomas Reyes",
        "Mayor Elena Varga",
        "article",
    ]


def test_an_event_whose_date_the_source_does_not_write_is_dropped() -> None:
    """The worked example's "May 4" in a summary of another document: not in it, so not an event."""
    text = "The bridge opened in 1941. The vote is set for March\u00a011."
    d = draft(
        (1, "The bridge opened in 1941"),
        events=[
            {"date": "1941", "what": "the bridge opened"},
            {"date": "March 11", "what": "the vote"},  # folded: the no-break space is a space
            {"date": "May 4", "what": "the ferry resumes"},
        ],
    )
    events, warnings = dated_events(d, normalize(text))
    assert [(e.date, e.description) for e in events] == [("1941", "the bridge opened"), ("March 11", "the vote")]
    assert warnings == ["dropped event whose date is not in the source: 'May 4' ('the ferry resumes')"]
