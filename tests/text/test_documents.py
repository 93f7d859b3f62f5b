"""Reading, decoding and HTML extraction (summarizer.text.documents); furniture: test_furniture.py."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from summarizer import config
from summarizer.errors import ConfigError, InputError, MissingDependencyError
from summarizer.text import documents
from summarizer.text.documents import document_from_bytes, document_from_text, load_document
from tests._support.documents import BODY, input_error, write_file
from tests._support.paths import DATA, ROOT

ARTICLE_HTML = DATA / "doc_article.html"

FRENCH = (
    "Le conseil municipal de Marrowby a voté mardi soir la restauration du vieux moulin à marée. "
    "« C’est une décision historique », a déclaré Mme Hélène Garçon, élue du quartier du port. "
    "Les travaux coûteront environ 2,4 millions d’euros (soit 2 400 000 €) et commenceront dès "
    "l’été prochain, après l’étude des écluses. Les opposants préféreraient réparer la digue, "
    "déjà très abîmée par les tempêtes de l’hiver dernier ; ils dénoncent un œuvre coûteuse.\n"
)
GERMAN = (
    "Die Fähre nach Kellan wird im Winter nicht mehr fahren, teilte die Reederei am Montag mit. "
    "Für die Bewohner der Insel ist das ein großer Verlust: Ärzte, Schüler und Händler müssen nun "
    "über die Brücke im Süden ausweichen, was bei schlechtem Wetter über zwei Stunden dauert. "
    "Der Bürgermeister äußerte sich enttäuscht und kündigte Gespräche mit der Landesregierung an.\n"
)
CZECH = (
    "Přívoz na ostrov Kellan v zimě přestane jezdit, oznámil v pondělí provozovatel. Obyvatelé ostrova "
    "budou muset jezdit přes most na jihu, což za špatného počasí trvá déle než dvě hodiny. Starosta "
    "řekl, že je zklamaný, a slíbil jednání s krajským úřadem o náhradním řešení.\n"
)


# --- decoding ---------------------------------------------------------------------------------------


def test_utf8_file(tmp_path: Path) -> None:
    raw = "Grüße from Marrowby — the mill is saved.\nSecond line.\n".encode()
    path = write_file(tmp_path, "notes.txt", raw)
    doc = load_document(path)
    assert doc.text == raw.decode("utf-8")
    assert doc.encoding == "utf-8"
    assert doc.media_type == "text/plain"
    assert doc.path == str(path)
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.furniture == ()
    assert doc.model_text == doc.text


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf" + "Café on the quay.\n".encode()
    path = write_file(tmp_path, "bom.txt", raw)
    doc = load_document(path)
    assert doc.text == "Café on the quay.\n"
    assert doc.encoding == "utf-8-sig"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()  # of the raw bytes, BOM included
    with open(path, encoding=doc.encoding) as fh:
        assert fh.read() == doc.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_text(tmp_path: Path, codec: str) -> None:
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    original = "Grüße aus Marrowby.\r\nDie Mühle bleibt stehen.\r\n"
    raw = bom + original.encode(codec)
    assert b"\x00" in raw  # would be called binary without the BOM check
    path = write_file(tmp_path, "utf16.txt", raw)
    doc = load_document(path)
    assert doc.text == "Grüße aus Marrowby.\nDie Mühle bleibt stehen.\n"
    assert doc.encoding == "utf-16"
    with open(path, encoding=doc.encoding) as fh:
        assert fh.read() == doc.text


@pytest.mark.parametrize(
    ("text", "codec"),
    [(FRENCH * 2, "cp1252"), (GERMAN * 2, "latin-1"), (CZECH * 2, "cp1250")],
    ids=["french-cp1252", "german-latin1", "czech-cp1250"],
)
def test_legacy_single_byte_encodings_are_detected(tmp_path: Path, text: str, codec: str) -> None:
    raw = text.encode(codec)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    path = write_file(tmp_path, "legacy.txt", raw)
    doc = load_document(path)
    assert doc.text == text
    assert doc.encoding != "utf-8"
    assert raw.decode(doc.encoding) == doc.text


def test_detection_on_large_file_finds_accents_at_the_end(tmp_path: Path) -> None:
    # Larger than the detection sample: only a few accented lines, all near the end.
    ascii_part = "The ferry to Kellan Isle will stop running in November, the operator said.\n" * 5000
    text = ascii_part + FRENCH
    path = write_file(tmp_path, "big.txt", text.encode("cp1252"))
    doc = load_document(path)
    assert doc.text == text
    assert doc.text.endswith("œuvre coûteuse.\n")


def test_crlf_and_cr_newlines_match_python_read(tmp_path: Path) -> None:
    raw = b"First line.\r\nSecond line, with a quote.\r\rThird line: \xc3\xa9t\xc3\xa9.\r\nLast\r"
    path = write_file(tmp_path, "crlf.txt", raw)
    doc = load_document(path)
    with open(path, encoding="utf-8") as fh:
        expected = fh.read()
    assert doc.text == expected
    assert "\r" not in doc.text
    start = doc.text.index("Third line")
    assert expected[start : start + len("Third line: été")] == "Third line: été"


def test_plain_text_is_not_otherwise_changed(tmp_path: Path) -> None:
    # Tabs, runs of spaces, trailing spaces, decomposed accents, blank lines: all kept verbatim.
    text = "Col1\tCol2  Col3\n   indented line   \n\ne\u0301te\u0301 in NFD\n\n\n  last  "
    path = write_file(tmp_path, "verbatim.txt", text.encode())
    doc = load_document(path)
    assert doc.text == text


# --- HTML -------------------------------------------------------------------------------------------


def test_html_article_extracted_without_page_furniture() -> None:
    doc = load_document(ARTICLE_HTML)
    assert doc.media_type == "text/html"
    assert doc.encoding == "utf-8"
    assert doc.sha256 == hashlib.sha256(ARTICLE_HTML.read_bytes()).hexdigest()
    for sentence in (
        "Harbour town votes to rebuild its tidal mill",
        "Residents of Marrowby voted on Tuesday to restore the tidal mill",
        "Opponents argued that the money would be better spent",
        "Turnout in the local referendum was 61 per cent",
    ):
        assert sentence in doc.model_text
    for junk in (
        "Most Commented",
        "Ferry operator scraps winter crossings",  # headline in the "Most Commented" aside
        "Decommissioned lighthouse",
        "Most read",
        "Seafront bakery wins",  # headline in the "Most read" aside
        "Share on Facebook",
        "Share this article",
        "WhatsApp",
        "We use cookies",
        "Accept all cookies",
        "Weather",  # nav menu item
        "Sign up for our newsletter",
        "Follow us",
        "All rights reserved",
        "<p>",
        "dataLayer",
    ):
        assert junk not in doc.model_text, junk
        assert junk not in doc.text, junk


def test_html_loaded_repeatedly_gives_the_same_text() -> None:
    # trafilatura's default deduplication cache is global: a page seen a few times would come back empty.
    texts = {load_document(ARTICLE_HTML).text for _ in range(5)}
    assert len(texts) == 1
    assert "tidal mill" in texts.pop()


def test_html_is_sniffed_without_extension_or_media_type() -> None:
    raw = ARTICLE_HTML.read_bytes()
    doc = document_from_bytes(raw, path="saved-page.txt")
    assert doc.media_type == "text/html"
    assert "Residents of Marrowby voted" in doc.text
    assert "Ferry operator scraps" not in doc.text


def test_html_media_type_argument_wins() -> None:
    raw = ARTICLE_HTML.read_bytes()
    as_html = document_from_bytes(raw, media_type="text/html; charset=utf-8")
    as_plain = document_from_bytes(raw, media_type="text/plain")
    assert as_html.media_type == "text/html"
    assert "<article" not in as_html.text
    assert as_plain.media_type == "text/plain"
    assert as_plain.text == raw.decode("utf-8")


def test_html_string_from_library_caller_is_extracted() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>Ferry news</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        "<article><h1>Winter ferry to Kellan Isle withdrawn</h1>"
        "<p>The ferry operator said on Monday that it would stop its winter crossings to Kellan Isle, "
        "citing the cost of fuel and a shortage of qualified deckhands.</p>"
        "<p>Islanders will have to use the southern bridge, a detour of more than two hours in bad "
        "weather, until the service resumes in April.</p>"
        "<div class='share'>Share this article</div></article>"
        "<footer>Copyright 2024 The Marrowby Courier</footer></body></html>"
    )
    doc = document_from_text(html)
    assert doc.media_type == "text/html"
    assert doc.path is None
    assert "citing the cost of fuel" in doc.model_text
    assert "Share this article" not in doc.model_text
    assert "Sport" not in doc.model_text
    assert "Copyright" not in doc.model_text


def test_html_with_declared_legacy_charset() -> None:
    html = (
        '<html><head><meta charset="windows-1252"><title>Café</title></head><body><article>'
        "<p>Le Café Élise, sur le quai de Marrowby, fermera ses portes à la fin de l’été après "
        "quarante ans de service, a annoncé sa propriétaire, qui part à la retraite.</p>"
        "</article></body></html>"
    )
    doc = document_from_bytes(html.encode("cp1252"), path="cafe.html")
    assert doc.encoding == "cp1252"
    assert "Le Café Élise" in doc.text
    assert "fin de l’été" in doc.text


def test_prose_mentioning_html_tags_stays_plain_text() -> None:
    text = "To start a web page, write an <html> tag, then a <body> tag inside it.\n"
    doc = document_from_text(text)
    assert doc.media_type == "text/plain"
    assert doc.text == text


def test_html_without_article_text_is_rejected(tmp_path: Path) -> None:
    html = b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"
    path = write_file(tmp_path, "menu.html", html)
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "menu.html", "no article text")


# --- hidden HTML -----------------------------------------------------------------------------------

_VISIBLE = (
    "<p>The council voted seven to two on Tuesday to keep the toll on the harbour bridge until 2030, "
    "officials said after the long meeting at the town hall.</p>",
    "<p>The mayor said the money would fund repairs to the deck and to the main cables over the next "
    "decade, starting with the northern span in the spring.</p>",
)


def _page(hidden: str, *, body: str = "<body>") -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Bridge vote</title></head>{body}<article><h1>Bridge vote</h1>"
        f"{_VISIBLE[0]}{hidden}{_VISIBLE[1]}</article></body></html>"
    )


_SECRET = "HIDDENWORDS the toll was abolished in 2005 and the mayor resigned in disgrace last night"


@pytest.mark.parametrize(
    "hidden",
    [
        f"<p hidden>{_SECRET}.</p>",
        f'<p hidden="">{_SECRET}.</p>',
        f'<p hidden="hidden">{_SECRET}.</p>',
        f'<div hidden><p>{_SECRET}.</p><p>More of the same hidden block, long enough to be a paragraph.</p></div>',
        f'<p aria-hidden="true">{_SECRET}.</p>',
        f'<p aria-hidden="TRUE">{_SECRET}.</p>',
        f'<div style="display:none"><p>{_SECRET}.</p></div>',
        f'<p style="color: red; display : NONE !important">{_SECRET}.</p>',
        f'<p style="visibility:hidden">{_SECRET}.</p>',
        f'<p style="Visibility: Hidden;">{_SECRET}.</p>',
        f'<p>Residents filled the hall for the vote<span hidden> {_SECRET}</span>, and many stood outside.</p>',
        f'<p>Residents filled the hall<span aria-hidden="true"> {_SECRET}</span> for the vote on Tuesday night.</p>',
        f'<p>Residents filled the hall<span style="display:none"> {_SECRET}</span> for the vote on Tuesday.</p>',
    ],
)
def test_hidden_html_is_not_article_text(hidden: str) -> None:
    """Text a reader never sees (the hidden attribute, aria-hidden, an inline display:none or
    visibility:hidden) is dropped before extraction; the visible text around it stays."""
    doc = document_from_text(_page(hidden))
    assert "HIDDENWORDS" not in doc.text
    assert "keep the toll on the harbour bridge until 2030" in doc.text
    assert "fund repairs to the deck" in doc.text


@pytest.mark.parametrize(
    "shown",
    [
        '<p hidden="until-found">SHOWNWORDS revealed when the reader searches the page, as browsers do.</p>',
        '<p aria-hidden="false">SHOWNWORDS a paragraph that says outright it is not hidden from anyone.</p>',
        '<p style="display: block; color: grey">SHOWNWORDS a paragraph styled but perfectly visible here.</p>',
        '<p class="hidden-gem">SHOWNWORDS the word hidden in a class name hides nothing at all here.</p>',
    ],
)
def test_visible_html_that_mentions_hiding_is_kept(shown: str) -> None:
    doc = document_from_text(_page(shown))
    assert "SHOWNWORDS" in doc.text


def test_a_hidden_body_is_still_read() -> None:
    """An anti-flicker script hides the whole body until it loads: the page is still its article."""
    doc = document_from_text(_page("", body='<body style="display: none">'))
    assert "keep the toll on the harbour bridge until 2030" in doc.text


def test_a_page_whose_article_is_all_hidden_falls_back_to_it() -> None:
    """When nothing visible is left, the hidden elements are read rather than reporting an empty page."""
    html = f'<html><body><div aria-hidden="true"><article>{"".join(_VISIBLE)}</article></div></body></html>'
    doc = document_from_text(html)
    assert "keep the toll on the harbour bridge until 2030" in doc.text


_NOT_A_PAGE = b"<div><div><div>deep</div></div></div>"  # trafilatura: "parsed tree length: 1, ... not valid HTML"


def test_extractor_warnings_stay_off_stderr_without_verbose(tmp_path: Path) -> None:
    """trafilatura logs WARNING/ERROR lines ("discarding data", "empty HTML tree") for a page it cannot
    use; the tool's own one-line error says it, so theirs show only with -v."""
    page = write_file(tmp_path, "page.html", _NOT_A_PAGE)
    quiet = _cli(["summarize", str(page), "--dry-run", "-m", "gpt-4o-mini"])
    assert quiet.returncode == 2
    assert quiet.stderr.splitlines() == [f"summarizer: error: {page}: no article text could be extracted from the HTML"]
    verbose = _cli(["summarize", str(page), "--dry-run", "-m", "gpt-4o-mini", "-v"])
    assert verbose.returncode == 2
    routed = [line for line in verbose.stderr.splitlines() if " trafilatura." in line]
    assert routed, verbose.stderr
    assert all(line.startswith("summarizer: INFO trafilatura.") for line in routed), routed


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("level", [logging.WARNING, logging.INFO])
def test_extractor_warnings_reach_a_library_callers_root_logger_only_at_info(level: int) -> None:
    """What an application's root handler sees (pytest's caplog also hooks non-propagating loggers, so a
    handler of the test's own stands in for the application's)."""
    root = logging.getLogger()
    handler, old_level = _Collect(), root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        with pytest.raises(InputError):
            document_from_bytes(_NOT_A_PAGE, path="page.html")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    routed = [r for r in handler.records if r.name.startswith("trafilatura")]
    if level == logging.WARNING:
        assert routed == []
    else:
        assert routed and {r.levelno for r in routed} == {logging.INFO}


def _cli(argv: list[str]) -> subprocess.CompletedProcess[str]:
    code = f"from summarizer.cli import main; raise SystemExit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


# --- a missing extractor dependency ----------------------------------------------------------------

#: Runs in a fresh interpreter where importing ``{module}`` fails, as after an install whose pip skipped it.
_WITHOUT_MODULE = """
import sys
sys.modules[{module!r}] = None
from summarizer.cli import main
raise SystemExit(main(["summarize", {path!r}, "--dry-run", "-m", "gpt-4o-mini"]))
"""


@pytest.mark.parametrize(
    ("module", "package"),
    [("lxml_html_clean", "lxml_html_clean"), ("trafilatura", "trafilatura"), ("justext", "justext")],
)
def test_missing_html_extractor_package_is_a_one_line_error(tmp_path: Path, module: str, package: str) -> None:
    """lxml's HTML cleaner, trafilatura or one of its parts cannot be imported: a one-line typed error that
    names the package and the pip command, exit 7 (a missing package), no traceback."""
    page = write_file(tmp_path, "page.html", ARTICLE_HTML.read_bytes())
    code = _WITHOUT_MODULE.format(module=module, path=str(page))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == MissingDependencyError.exit_code == 7, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("summarizer: error: reading HTML needs the Python package " + package)
    assert f"-m pip install {package}" in line


def test_missing_html_extractor_is_a_config_error_in_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(MissingDependencyError) as excinfo:
        load_document(ARTICLE_HTML)
    assert isinstance(excinfo.value, ConfigError)
    assert "pip install trafilatura" in str(excinfo.value)
    plain = write_file(tmp_path, "article.txt", BODY.encode())
    assert load_document(plain).media_type == "text/plain"  # plain text needs no extractor


def test_the_html_cleaner_is_a_declared_dependency() -> None:
    """lxml's ``html_clean`` extra is not matched by pips older than 23.3 (lxml spells it ``html-clean``), so
    the cleaner trafilatura imports is declared by its own name."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower().replace("-", "_") for dep in declared}
    assert "lxml_html_clean" in names


# --- page furniture in plain text -------------------------------------------------------------------


def test_document_is_frozen() -> None:
    doc = document_from_text(BODY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "changed"  # type: ignore[misc]


# --- document_from_text -----------------------------------------------------------------------------


def test_document_from_text_normalises_newlines() -> None:
    original = "Line one.\r\nLine two.\rLine three.\n"
    doc = document_from_text(original)
    assert doc.text == "Line one.\nLine two.\nLine three.\n"
    assert doc.sha256 == hashlib.sha256(original.encode("utf-8")).hexdigest()
    assert doc.path is None
    assert doc.encoding == "utf-8"
    assert doc.media_type == "text/plain"


@pytest.mark.parametrize(("text", "cause"), [("", "empty"), (" \r\n\t \u3000\n", "whitespace")])
def test_document_from_text_rejects_empty_and_blank(text: str, cause: str) -> None:
    with pytest.raises(InputError) as excinfo:
        document_from_text(text)
    input_error(excinfo, "<text>", cause)


# --- bad input --------------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = write_file(tmp_path, "notes.txt", b"")
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    assert input_error(excinfo, "notes.txt") == f"{path}: file is empty"


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write_file(tmp_path, "blank.txt", b"  \r\n\t\n   \n")
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "blank.txt", "whitespace")


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = write_file(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "image.png", "binary")


def test_binary_file_with_many_control_characters(tmp_path: Path) -> None:
    path = write_file(tmp_path, "blob.bin", b"\x01\x02\x03\x04ab\x05\x06\x07\x08cd\x0e\x0f" * 200)
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "blob.bin", "binary")


def test_undecodable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not UTF-8, and detection finds no encoding.
    monkeypatch.setattr(documents.charset_normalizer, "from_bytes", lambda *_a, **_k: [])
    path = write_file(tmp_path, "odd.txt", b"caf\xe9 au lait " * 20)
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "odd.txt", "cannot decode")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        load_document(tmp_path)
    input_error(excinfo, str(tmp_path), "directory")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "nope.txt", "not found")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read files whatever their mode"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = write_file(tmp_path, "secret.txt", b"Private notes about the mill.\n")
    path.chmod(0)
    try:
        with pytest.raises(InputError) as excinfo:
            load_document(path)
        input_error(excinfo, "secret.txt", "permission denied")
    finally:
        path.chmod(0o600)


def test_permission_error_on_open_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same path as above, reachable when the tests run as root.
    path = write_file(tmp_path, "secret.txt", b"Private notes about the mill.\n")

    def refuse(*_args: object, **_kwargs: object) -> io.BufferedReader:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(documents, "open", refuse, raising=False)
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "secret.txt", "permission denied")


def test_oversize_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_INPUT_BYTES", 1000)
    path = write_file(tmp_path, "huge.txt", b"The mill turns with the tide.\n" * 200)

    def must_not_open(*_args: object, **_kwargs: object) -> io.BufferedReader:
        raise AssertionError("the file was opened despite its size")

    monkeypatch.setattr(documents, "open", must_not_open, raising=False)
    with pytest.raises(InputError) as excinfo:
        load_document(path)
    input_error(excinfo, "huge.txt", "MB", "limit", "6,000 bytes")


def test_size_limit_applies_to_bytes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_INPUT_BYTES", 100)
    with pytest.raises(InputError) as excinfo:
        document_from_bytes(b"x" * 101, path="blob.txt")
    input_error(excinfo, "blob.txt", "limit")


# --- stdin ------------------------------------------------------------------------------------------


def _fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = "Piped notes about the mill.\r\nSecond line — with a dash.\r\n".encode()
    _fake_stdin(monkeypatch, raw)
    doc = load_document("-")
    assert doc.path == "-"
    assert doc.text == "Piped notes about the mill.\nSecond line — with a dash.\n"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()


def test_empty_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stdin(monkeypatch, b"")
    with pytest.raises(InputError) as excinfo:
        load_document("-")
    input_error(excinfo, "<stdin>", "empty")


def test_oversize_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_INPUT_BYTES", 50)
    _fake_stdin(monkeypatch, b"The tide comes in twice a day.\n" * 10)
    with pytest.raises(InputError) as excinfo:
        load_document("-")
    input_error(excinfo, "<stdin>", "limit")


class _Unreadable(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise OSError(5, "Input/output error")


@pytest.mark.parametrize(
    ("stdin", "cause"),
    [
        (None, "standard input is closed"),  # Python's sys.stdin when started with fd 0 closed
        (types.SimpleNamespace(buffer=None), "standard input is closed"),
        (types.SimpleNamespace(buffer=io.BytesIO(b"gone")), "standard input is closed"),  # closed below
        (types.SimpleNamespace(buffer=io.BufferedReader(_Unreadable())), "Input/output error"),
    ],
)
def test_closed_or_unreadable_stdin_is_an_input_error(
    monkeypatch: pytest.MonkeyPatch, stdin: object, cause: str
) -> None:
    buffer = getattr(stdin, "buffer", None)
    if isinstance(buffer, io.BytesIO):
        buffer.close()
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(InputError) as excinfo:
        load_document("-")
    input_error(excinfo, "<stdin>", cause)


@pytest.mark.parametrize("argv", [["summarize", "-", "--dry-run"], ["check", "-", "--claim", "x", "--mode", "local"]])
def test_cli_with_stdin_closed_is_a_one_line_error(tmp_path: Path, argv: list[str]) -> None:
    """`summarizer summarize - <&-` gave an AttributeError traceback."""
    code = f"from summarizer.cli import main; raise SystemExit(main({[*argv, '-m', 'gpt-4o-mini']!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
        preexec_fn=lambda: os.close(0),  # as the shell's <&- does
    )  # fmt: skip
    assert result.returncode == InputError.exit_code, result.stderr
    assert result.stderr.splitlines() == ["summarizer: error: <stdin>: standard input is closed (nothing to read from '-')"]
