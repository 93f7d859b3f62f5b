"""Page furniture in plain text: share buttons, link boxes, menus, cookie notices (summarizer.text.furniture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.text.documents import Document, document_from_text, load_document
from tests._support.documents import BODY, input_error, write_file


def _furniture_lines(doc: Document) -> list[str]:
    return [doc.text[start:end] for start, end in doc.furniture]


def test_trailing_most_commented_box_is_furniture(tmp_path: Path) -> None:
    text = (
        BODY
        + "\nMost Commented\n"
        + "Ferry operator scraps winter crossings to Kellan Isle\n"
        + "Lighthouse sold\n"
        + "Share this article\n"
    )
    path = write_file(tmp_path, "article.txt", text.encode())
    doc = load_document(path)
    assert doc.text == text  # kept in text: offsets are unaffected
    assert _furniture_lines(doc) == [
        "Most Commented",
        "Ferry operator scraps winter crossings to Kellan Isle",
        "Lighthouse sold",
        "Share this article",
    ]
    assert "Most Commented" not in doc.model_text
    assert "Lighthouse sold" not in doc.model_text
    assert doc.model_text.startswith(BODY)
    start = text.index("Most Commented")
    assert doc.in_furniture(start, start + len("Most Commented"))
    assert doc.in_furniture(start, text.index("Lighthouse sold") + 5)  # across furniture lines
    assert not doc.in_furniture(0, 20)
    assert not doc.in_furniture(start - 10, start + 5)  # starts in the body


@pytest.mark.parametrize(
    "line",
    [
        "Most Commented",
        "Most read:",
        "MOST POPULAR",
        "Share on Facebook",
        "Share this story",
        "ADVERTISEMENT",
        "Related Articles",
        "Subscribe",
        "Read more",
        "Read more »",
        "Click here to read our full coverage of the regatta",
        "Follow us on Instagram",
        "Follow us on Facebook, Instagram and X",
        "Sign up for our newsletter",
        "  - Sign up to our free weekly newsletter",
        "We use cookies to improve your experience on our site.",
        "This site uses cookies. By continuing you accept our cookie policy.",
        "© 2024 The Marrowby Courier. All rights reserved.",
    ],
)
def test_furniture_phrases(line: str) -> None:
    doc = document_from_text(BODY + "\n" + line + "\n")
    assert _furniture_lines(doc) == [line]
    assert line not in doc.model_text
    assert doc.model_text.startswith(BODY)


def test_furniture_mid_text_line_but_not_headings_or_sentences() -> None:
    text = (
        "Share This Moment: A Town Votes\n"  # a title, not furniture
        "\n"
        "Residents voted on Tuesday to restore the mill.\n"
        "Advertisement\n"
        "Background\n"  # a short heading in the middle is kept
        "Share this article with anyone who asked about the mill, said the organiser.\n"
        "Read more about the mill in the town library, where the archive is kept.\n"
        "Search\n"  # navigation word on its own: kept
        "Email\n"
        "(c) the trust shall publish its accounts every year;\n"  # a list clause, not a copyright line
        "More on the budget\n"
        "The vote ends a decade of debate.\n"
    )
    doc = document_from_text(text)
    assert _furniture_lines(doc) == ["Advertisement"]
    assert doc.model_text == text.replace("Advertisement\n", "")


def test_title_at_top_is_kept_next_to_share_buttons() -> None:
    text = "Tidal Mill Saved\nShare on Facebook\nShare on X\n\n" + BODY
    doc = document_from_text(text)
    assert _furniture_lines(doc) == ["Share on Facebook", "Share on X"]
    assert doc.model_text.startswith("Tidal Mill Saved\n")


def test_leading_menu_between_furniture_lines() -> None:
    text = "Skip to content\nHome\nNews\nSport\nSign in\nTidal Mill Saved\n\n" + BODY
    doc = document_from_text(text)
    assert _furniture_lines(doc) == ["Skip to content", "Home", "News", "Sport", "Sign in"]
    assert doc.model_text == "Tidal Mill Saved\n\n" + BODY


def test_short_lines_before_trailing_furniture_are_kept() -> None:
    # A sign-off before the furniture block is content; only what follows the first phrase is dropped.
    text = BODY + "\nElspeth Varnow\nLocal Affairs\n\nShare this article\nFacebook\nEmail\n"
    doc = document_from_text(text)
    assert _furniture_lines(doc) == ["Share this article", "Facebook", "Email"]
    assert "Elspeth Varnow\nLocal Affairs\n" in doc.model_text


def test_only_furniture_is_rejected() -> None:
    with pytest.raises(InputError) as excinfo:
        document_from_text("Share this article\nAdvertisement\n", path="junk.txt")
    input_error(excinfo, "junk.txt", "furniture")
