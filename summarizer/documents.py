"""Read, decode, extract and normalise a document.

The :class:`Document` returned here is the single source of truth for character offsets: evidence
offsets index :attr:`Document.text`. For plain text that is exactly what Python's
``open(path, encoding=doc.encoding).read()`` returns (BOM stripped, ``\\r\\n`` and ``\\r`` turned into
``\\n``, nothing else changed). For HTML it is the article text extracted by trafilatura.

Page furniture lines (share buttons, "Most Commented" boxes, cookie notices, ...) stay in ``text`` so
offsets keep working, but their spans are recorded in :attr:`Document.furniture` and
:attr:`Document.model_text` leaves them out.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import logging
import os
import re
import stat
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import charset_normalizer

from summarizer import config
from summarizer.errors import InputError

if TYPE_CHECKING:
    from typing import BinaryIO

logger = logging.getLogger(__name__)

PLAIN = "text/plain"
HTML = "text/html"

_HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_MIB = 1024 * 1024
#: How much of the start is inspected for NUL bytes and control characters.
_SNIFF_BYTES = 8192
#: Share of control characters (other than tab, newlines, form feed) above which input is binary.
_MAX_CONTROL_SHARE = 0.10
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_HTML_SNIFF_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_NEWLINE_RE = re.compile(r"\r\n?")
_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")
#: Larger inputs are detected on a sample of their non-ASCII lines (then decoded whole, strictly).
_DETECTION_SAMPLE_BYTES = 256 * 1024
_DETECTION_LINE_BYTES = 2048
#: Detection scores (chaos, coherence) this close to the best count as a tie.
_TIE = 0.01

# --- trafilatura ------------------------------------------------------------------------------------
#: Subtrees removed before extraction: menus, sidebars ("Most Commented", "Most read"), page footers,
#: and consent banners. Semantic elements only, so no article body is pruned by a class-name guess.
_PRUNE_XPATH = [
    "//nav",
    "//aside",
    "//footer",
    "//*[@role='navigation' or @role='complementary' or @role='contentinfo' or @role='banner']",
    "//*[not(self::html or self::body or self::main or self::article)]"
    "[contains(translate(@id, 'COKIENST', 'cokienst'), 'cookie')"
    " or contains(translate(@id, 'COKIENST', 'cokienst'), 'consent')]",
]

# --- page furniture ---------------------------------------------------------------------------------
_WS = r"[^\S\n]+"  # whitespace inside one line
_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|telegram|messenger|bluesky|threads"
    r"|mastodon|instagram|tiktok|youtube|e-?mail)"
)
_LIST_HEADINGS = [
    r"most (?:commented|read|popular|viewed|shared|e-?mailed|watched|recent)"
    r"(?: (?:articles|stories|news|posts|today|this week|now))?",
    r"(?:related|recommended|trending|popular|latest|more) (?:articles|stories|posts|content|news|reads|links)",
    r"related",
    r"recommended(?: for you)?",
    r"trending(?: now)?",
    r"you (?:may|might) also (?:like|enjoy)",
    r"(?:more )?from (?:around|across) the (?:web|site)",
    r"editor'?s'? picks",
    r"read next",
    r"more (?:on|about) this (?:story|topic)",
    r"more (?:from|by) (?:this|our|the) (?:author|writer|site|section)",
    r"more stories from [^\n]{1,40}",
]
_PHRASES = [
    *_LIST_HEADINGS,
    r"share|tweet",
    rf"(?:share|tweet|post|pin|e-?mail|print)(?: (?:this|the))? (?:article|story|page|post|link)"
    rf"(?: (?:on|via|to|with) {_SOCIAL})?",
    rf"(?:share|tweet|post|pin|e-?mail)(?: (?:this|it))? (?:on|via|to|with) {_SOCIAL}",
    r"copy the link",
    r"advertisement|advert|sponsored(?: content)?|paid content|ad feature",
    r"(?:story|article) continues below(?: (?:this )?advertisement)?",
    r"subscribe(?: (?:now|today|here))?",
    r"subscribe to (?:our|the) [^\n]{1,40}",
    r"sign up(?: (?:now|here|today))?",
    r"sign up (?:for|to) (?:our|the) (?:free )?(?:daily |weekly )?newsletters?(?: (?:here|now|today))?",
    r"(?:get|join) our (?:free )?newsletters?",
    r"newsletter sign-?up",
    r"read more(?: (?:here|about this|stories|articles))?",
    r"read (?:the )?full (?:story|article)",
    r"continue reading(?: (?:here|below))?",
    r"click here(?: [^\n]{1,80})?",
    rf"follow us(?: on {_SOCIAL}(?:(?:,| and| &| or)+ {_SOCIAL})*)?",
    rf"(?:like|find|join) us on {_SOCIAL}",
    r"(?:this|our) (?:web)?site uses cookies[^\n]{0,250}",
    r"we use cookies (?:and similar technologies )?(?:to|on|for) [^\n]{0,250}",
    r"by (?:continuing to (?:use|browse)|using) (?:this|our) (?:web)?site[^\n]{0,200}cookies[^\n]{0,200}",
    r"(?:accept|reject|allow)(?: all)? cookies|cookie (?:policy|settings|preferences)",
    r"manage (?:cookie )?preferences",
    r"(?:show|view|hide|read) (?:all )?(?:\d+ )?comments|leave a (?:comment|reply)",
    r"join the (?:conversation|discussion)",
    r"back to top|skip to (?:main )?content|skip navigation|toggle navigation",
    r"privacy policy|terms (?:of (?:use|service)|and conditions)|contact us|about us",
    # a year is required after "(c)": "(c) the trust shall ..." is a clause of a list, not a notice
    r"©[^\n]{0,120}|(?:\(c\)|copyright)(?: ©| \(c\))? \d{4}[^\n]{0,120}",
    r"all rights reserved",
    r"listen to (?:this )?(?:article|story)",
    r"\d+ min(?:ute)?s? read",
]
#: Navigation words that are furniture only next to other furniture at the top (never on their own:
#: "Search" or "Home" may be a title).
_WEAK = [
    r"home",
    r"menu",
    r"search",
    r"sign in",
    r"log ?in",
    r"register",
    r"(?:\d+ )?comments?",
    r"e-?mail|print|post|pin|copy link",
]
_DECOR = r"(?:[-–—*•·|»›>]+[^\S\n]*)?"
_TAIL = r"[^\S\n]*[:.!»›>→…|]*"


def _alternation(phrases: list[str]) -> str:
    return "|".join(f"(?:{p.replace(' ', _WS)})" for p in phrases)


#: One furniture phrase on a line of its own (used on single lines, and for the whole-text scan below).
_FURNITURE_LINE_RE = re.compile(
    rf"^[^\S\n]*{_DECOR}(?:{_alternation(_PHRASES)}){_TAIL}[^\S\n]*$", re.IGNORECASE | re.MULTILINE
)
# Whole-text scans run on lower-cased text prefixed with "\n": without IGNORECASE the regex engine skips
# most alternatives on their first character, and a literal "\n" start is found by a fast search.
# That is about four times faster than the pattern above on a large document.
_FURNITURE_SCAN_BODY = rf"[^\S\n]*{_DECOR}(?:{_alternation(_PHRASES)}){_TAIL}[^\S\n]*(?=\n|\Z)"
_FURNITURE_SCAN_LOWER_RE = re.compile(rf"\n{_FURNITURE_SCAN_BODY}")
_FURNITURE_SCAN_RE = re.compile(rf"\n{_FURNITURE_SCAN_BODY}", re.IGNORECASE)
#: How many lines at the top and bottom are examined for furniture blocks.
_MAX_EDGE_LINES = 200
#: Headings of link boxes ("Most Commented", "Related articles"): headlines may follow them.
_LIST_HEADING_RE = re.compile(rf"{_DECOR}(?:{_alternation(_LIST_HEADINGS)}){_TAIL}", re.IGNORECASE)
_WEAK_RE = re.compile(rf"{_DECOR}(?:{_alternation(_WEAK)}){_TAIL}", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SHORT_WORDS = 5
_HEADLINE_WORDS = 12

# Line classes for the leading/trailing block scan.
_BLANK, _PHRASE, _LIST, _WEAK_LINE, _SHORT, _HEADLINE, _TEXT = range(7)


@dataclass(frozen=True)
class Document:
    """A decoded document: the text that evidence offsets refer to, and where it came from."""

    text: str
    sha256: str
    path: str | None
    media_type: str
    encoding: str
    furniture: tuple[tuple[int, int], ...] = ()

    @cached_property
    def model_text(self) -> str:
        """``text`` without its furniture lines (each removed with its newline): what the model sees."""
        if not self.furniture:
            return self.text
        text = self.text
        parts: list[str] = []
        pos = 0
        for start, end in self.furniture:
            parts.append(text[pos:start])
            pos = end + 1 if text.startswith("\n", end) else end
        parts.append(text[pos:])
        return "".join(parts)

    def provenance(self) -> dict[str, object]:
        """The source fields every output's provenance carries (sha256, path, length in characters)."""
        return {"source_sha256": self.sha256, "source_path": self.path, "source_chars": len(self.text)}

    def in_furniture(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` lies entirely inside furniture.

        Consecutive furniture lines count as one block: a span may cross the newlines (and blank lines)
        between them.
        """
        if end < start:
            raise ValueError(f"end ({end}) is before start ({start})")
        spans = self.furniture
        i = bisect.bisect_right(spans, (start, sys.maxsize)) - 1
        if i < 0 or not spans[i][0] <= start <= spans[i][1]:
            return False
        if start == spans[i][1] and end > start:
            return False
        covered = spans[i][1]
        while end > covered:
            i += 1
            if i >= len(spans) or self.text[covered : spans[i][0]].strip():
                return False
            covered = spans[i][1]
        return True


# --- public API -------------------------------------------------------------------------------------


def load_document(path: str | os.PathLike[str]) -> Document:
    """Read and decode the file at ``path`` (``"-"`` reads standard input as bytes)."""
    name = os.fspath(path)
    if name == "-":
        data = _read_bounded(sys.stdin.buffer, "<stdin>")
        return document_from_bytes(data, path="-")
    label = _label(name)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{label}: is a directory, not a file")
    _check_size(st.st_size, label)
    try:
        with open(name, "rb") as fh:
            data = _read_bounded(fh, label)
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read file: {exc.strerror or exc}") from None
    return document_from_bytes(data, path=name)


def document_from_bytes(data: bytes, *, path: str | None = None, media_type: str | None = None) -> Document:
    """Decode raw bytes (BOM, UTF-8, declared charset, detection), extract HTML, find furniture.

    ``media_type`` may carry a charset parameter (``"text/html; charset=windows-1252"``). When it is
    not given, HTML is recognised by the file extension of ``path`` or by sniffing the start.
    """
    label = _label(path)
    empty = "file is empty" if path not in (None, "-") else "input is empty"
    if not data:
        raise InputError(f"{label}: {empty}")
    _check_size(len(data), label)
    kind, declared = _parse_media_type(media_type)
    text, encoding = _decode(data, label, declared)
    if not text:
        raise InputError(f"{label}: {empty}")
    is_html = _is_html(text, path, kind)
    digest = hashlib.sha256(data).hexdigest()
    return _build(text, digest=digest, path=path, encoding=encoding, is_html=is_html, label=label)


def document_from_text(text: str, *, path: str | None = None) -> Document:
    """Wrap an in-memory string: newlines normalised, HTML sniffed and extracted, furniture found."""
    label = _label(path, "<text>")
    if not text:
        raise InputError(f"{label}: text is empty")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if text.startswith("\ufeff"):
        text = text[1:]
    is_html = _is_html(text, path, None)
    return _build(text, digest=digest, path=path, encoding="utf-8", is_html=is_html, label=label)


# --- reading ----------------------------------------------------------------------------------------


def _label(path: str | None, default: str = "<input>") -> str:
    """How the input is named in error messages (always one line)."""
    if path is None:
        return default
    if path == "-":
        return "<stdin>"
    return path.replace("\r", "\\r").replace("\n", "\\n")


def _format_mb(n: int) -> str:
    mb = f"{n / _MIB:.1f}".removesuffix(".0")
    return f"{mb} MB" if n >= _MIB // 10 else f"{mb} MB ({n:,} bytes)"


def _check_size(size: int, label: str) -> None:
    limit = config.MAX_INPUT_BYTES
    if size > limit:
        raise InputError(f"{label}: input is {_format_mb(size)}, over the {_format_mb(limit)} limit")


def _read_bounded(stream: BinaryIO, label: str) -> bytes:
    """Read at most one byte past the limit: pipes and growing files have no trustworthy size."""
    limit = config.MAX_INPUT_BYTES
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{label}: input is over the {_format_mb(limit)} limit")
    return data


# --- decoding ---------------------------------------------------------------------------------------


def _parse_media_type(media_type: str | None) -> tuple[str | None, str | None]:
    """``"text/html; charset=latin-1"`` -> ``("text/html", "latin-1")``."""
    if not media_type:
        return None, None
    kind, *params = (p.strip() for p in media_type.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return kind.lower() or None, charset


def _codec_name(name: str, *, declared: bool = False) -> str | None:
    """Python's canonical codec name, or None if Python has no such codec."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    # As browsers do (WHATWG): a declared Latin-1 or ASCII charset is read as windows-1252.
    if declared and canonical in {"iso8859-1", "latin-1", "ascii"}:
        return "cp1252"
    return canonical


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(head)


def _decode(data: bytes, label: str, declared: str | None) -> tuple[str, str]:
    """Decode to text with normalised newlines; return it with the codec used."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise InputError(
                    f"{label}: not valid {codec.upper()} text despite its byte order mark"
                ) from None
            text = text.removeprefix("\ufeff")
            _check_controls(text, label)
            return _NEWLINE_RE.sub("\n", text), codec
    if _looks_binary(data):
        raise InputError(f"{label}: looks like a binary file, not text")

    candidates: list[str] = ["utf-8"]
    if declared is None:
        match = _META_CHARSET_RE.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    if declared and (declared_codec := _codec_name(declared, declared=True)):
        candidates.append(declared_codec)
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        logger.debug("%s: decoded as %s", label, codec)
        return _NEWLINE_RE.sub("\n", text), codec

    sample = _detection_sample(data)
    tried: set[str] = set()
    for payload in (sample, data) if sample is not data else (data,):
        for codec in _detected_codecs(payload):
            if codec in tried:
                continue
            tried.add(codec)
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            logger.debug("%s: detected encoding %s", label, codec)
            return _NEWLINE_RE.sub("\n", text), codec
    raise InputError(f"{label}: cannot decode the text (not UTF-8, and no other encoding fits)")


def _detected_codecs(payload: bytes) -> list[str]:
    """Codecs charset_normalizer finds plausible, best first.

    Its ranking ties windows-1250 with windows-1252 on Western European prose (both decode the common
    accents alike) and then lists windows-1250 first, which turns "û" into "ű" and "œ" into "ś". Among
    candidates that score as well as the best one, windows-1252, by far the more common, goes first.
    """
    matches = list(charset_normalizer.from_bytes(payload))
    codecs_found: list[str] = []
    for match in matches:
        codec = _codec_name(match.encoding)
        if codec is not None and codec not in codecs_found:
            codecs_found.append(codec)
    if matches and "cp1252" in codecs_found:
        best = matches[0]
        tied = {
            _codec_name(m.encoding)
            for m in matches
            if m.chaos <= best.chaos + _TIE and m.coherence >= best.coherence - _TIE
        }
        if "cp1252" in tied:
            codecs_found.remove("cp1252")
            codecs_found.insert(0, "cp1252")
    return codecs_found


def _detection_sample(data: bytes) -> bytes:
    """The lines holding non-ASCII bytes, up to a bounded size: what encoding detection needs to see.

    Detection over a whole large file is slow, and its fixed-stride chunks of mostly-ASCII prose can
    miss the few accented words. Lines are cut at newlines, which are never part of a multi-byte
    character in the encodings detected here (UTF-16/32 have been handled by their BOM).
    """
    if len(data) <= _DETECTION_SAMPLE_BYTES:
        return data
    parts: list[bytes] = []
    size = 0
    pos = 0
    while size < _DETECTION_SAMPLE_BYTES and (match := _NON_ASCII_RE.search(data, pos)):
        at = match.start()
        start = max(data.rfind(b"\n", 0, at) + 1, at - _DETECTION_LINE_BYTES)
        end = data.find(b"\n", at)
        end = at + _DETECTION_LINE_BYTES if end < 0 or end - at > _DETECTION_LINE_BYTES else end
        parts.append(data[start:end])
        size += end - start + 1
        pos = end + 1
    return b"\n".join(parts) if parts else data


def _check_controls(text: str, label: str) -> None:
    """Binary check for text decoded from a BOM'd UTF-16/32 file, where NUL bytes are normal."""
    head = text[:_SNIFF_BYTES]
    controls = len(head) - len(head.translate(dict.fromkeys(_CONTROL_BYTES)))
    if "\x00" in head or controls > _MAX_CONTROL_SHARE * len(head):
        raise InputError(f"{label}: looks like a binary file, not text")


# --- HTML -------------------------------------------------------------------------------------------


def _is_html(text: str, path: str | None, kind: str | None) -> bool:
    if kind is not None:
        return kind in _HTML_MEDIA_TYPES
    if path and path.lower().endswith(_HTML_SUFFIXES):
        return True
    head = text[:1024].lstrip()
    # Markup must open the document: prose that mentions "<html>" is not a web page.
    return head.startswith("<") and _HTML_SNIFF_RE.search(head) is not None


def _extract_html(html: str, label: str) -> str:
    """The article text of an HTML page, via trafilatura (imported lazily: it is slow to import)."""
    import trafilatura
    from trafilatura.deduplication import LRUCache

    extracted: str | None = None
    for precision in (True, False):
        extracted = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=precision,
            # A fresh cache per call: the default global one makes a page loaded a few times come back empty.
            deduplicate=LRUCache(),
            prune_xpath=_PRUNE_XPATH,
        )
        if extracted and extracted.strip():
            break
        logger.debug("%s: no text extracted with favor_precision=%s", label, precision)
    if not extracted or not extracted.strip():
        raise InputError(f"{label}: no article text could be extracted from the HTML")
    return _NEWLINE_RE.sub("\n", extracted)


# --- building the document --------------------------------------------------------------------------


def _build(text: str, *, digest: str, path: str | None, encoding: str, is_html: bool, label: str) -> Document:
    text = _NEWLINE_RE.sub("\n", text)
    if not text.strip():
        raise InputError(f"{label}: contains only whitespace")
    if is_html:
        text = _extract_html(text, label)
    furniture = find_furniture(text)
    doc = Document(
        text=text,
        sha256=digest,
        path=path,
        media_type=HTML if is_html else PLAIN,
        encoding=encoding,
        furniture=furniture,
    )
    if furniture and not doc.model_text.strip():
        raise InputError(f"{label}: contains only page furniture (menus, share buttons), no article text")
    return doc


def _classify(line: str) -> int:
    stripped = line.strip()
    if not stripped:
        return _BLANK
    if _FURNITURE_LINE_RE.fullmatch(line):
        return _LIST if _LIST_HEADING_RE.fullmatch(stripped) else _PHRASE
    if _WEAK_RE.fullmatch(stripped):
        return _WEAK_LINE
    if _SENTENCE_END_RE.search(stripped):
        return _TEXT
    words = len(stripped.split())
    if words <= _SHORT_WORDS:
        return _SHORT
    return _HEADLINE if words <= _HEADLINE_WORDS else _TEXT


def _leading_lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, class) of the lines at the top that could be furniture, stopping at real text."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    while len(out) < _MAX_EDGE_LINES:
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        kind = _classify(text[pos:end])
        if kind not in (_BLANK, _PHRASE, _LIST, _WEAK_LINE, _SHORT):
            break
        out.append((pos, end, kind))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _trailing_lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, class) of the lines at the bottom that could be furniture, in document order."""
    out: list[tuple[int, int, int]] = []
    end = len(text)
    while len(out) < _MAX_EDGE_LINES:
        start = text.rfind("\n", 0, end) + 1
        kind = _classify(text[start:end])
        if kind == _TEXT:
            break
        out.append((start, end, kind))
        if start == 0:
            break
        end = start - 1
    out.reverse()
    return out


def find_furniture(text: str) -> tuple[tuple[int, int], ...]:
    """Spans ``[start, end)`` of the page-furniture lines of ``text`` (the line, not its newline).

    A line is furniture when it is one of the known phrases ("Share this article", "Most read:",
    "Advertisement", cookie notices, ...). Short lines (at most five words, no sentence-final
    punctuation) are furniture only inside a furniture block at an edge of the text: at the top when
    they sit between two phrase lines (a menu), at the bottom when they follow a phrase line; after a
    link-box heading such as "Most Commented", headline-length lines (up to twelve words) are too.
    Sentences and a title at the top are never furniture.
    """
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() only ever lengthens: equal length means offsets agree
        scan = _FURNITURE_SCAN_LOWER_RE.finditer("\n" + lowered)
    else:
        scan = _FURNITURE_SCAN_RE.finditer("\n" + text)
    # Matches start at the "\n" put (or found) before the line: in `text` the line starts right there.
    spans: set[tuple[int, int]] = {(m.start(), m.end() - 1) for m in scan}

    # Top: short lines sandwiched between phrase (or navigation-word) lines, at least one a phrase.
    leading = _leading_lines(text)
    bounds = [i for i, (_, _, kind) in enumerate(leading) if kind in (_PHRASE, _LIST, _WEAK_LINE)]
    if len(bounds) >= 2 and any(leading[i][2] != _WEAK_LINE for i in bounds):
        for start, end, kind in leading[bounds[0] : bounds[-1] + 1]:
            if kind in (_SHORT, _WEAK_LINE):
                spans.add((start, end))

    # Bottom: everything from the first phrase line on, while the block stays furniture-like.
    block: list[tuple[int, int]] = []
    opened = after_list = False
    for start, end, kind in _trailing_lines(text):
        if kind in (_PHRASE, _LIST):
            opened = True
            after_list = kind == _LIST or after_list
            block.append((start, end))
        elif opened and (kind in (_SHORT, _WEAK_LINE) or (kind == _HEADLINE and after_list)):
            block.append((start, end))
        elif kind != _BLANK:
            # A short line before any phrase, or a headline not under a link-box heading: restart.
            block.clear()
            opened = after_list = False
    spans.update(block)
    return tuple(sorted((s, e) for s, e in spans if s < e))


__all__ = ["Document", "document_from_bytes", "document_from_text", "find_furniture", "load_document"]
