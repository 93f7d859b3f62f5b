"""Read, decode, extract and normalise a document.

The :class:`Document` returned here is the single source of truth for character offsets: evidence
offsets index :attr:`Document.text`. For plain text that is exactly what Python's
``open(path, encoding=doc.encoding).read()`` returns (BOM stripped, ``\\r\\n`` and ``\\r`` turned into
``\\n``, nothing else changed). For HTML it is the article text extracted by trafilatura.

Page furniture lines (share buttons, "Most Commented" boxes, cookie notices, ...) stay in ``text`` so
offsets keep working, but their spans are recorded in :attr:`Document.furniture` and
:attr:`Document.model_text` leaves them out (which lines are furniture: :mod:`summarizer.text.furniture`).
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import logging
import os
import re
import shlex
import stat
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import charset_normalizer

from .. import config
from ..errors import InputError, MissingDependencyError
from .furniture import find_furniture

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
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _lowered(expr: str, drop: str = "") -> str:
    """XPath 1.0 for ``expr`` in lower case, the characters of ``drop`` removed."""
    return f"translate({expr}, '{_UPPER}{drop}', '{_UPPER.lower()}')"


#: The inline style, lower-cased and without whitespace ("Display : NONE" -> "display:none").
_STYLE = _lowered("@style", " \t\n\r")
#: Text a reader never sees: the ``hidden`` attribute (but ``hidden="until-found"``, which the browser
#: reveals on find), ``aria-hidden="true"``, and an inline ``display: none`` or ``visibility: hidden``. The
#: page itself (html, body) is never pruned: a hidden body is an anti-flicker script's, shown on load.
_HIDDEN_XPATH = [
    f"//*[not(self::html or self::body)][@hidden and {_lowered('normalize-space(@hidden)')} != 'until-found']",
    f"//*[not(self::html or self::body)][{_lowered('normalize-space(@aria-hidden)')} = 'true']",
    f"//*[not(self::html or self::body)][contains({_STYLE}, 'display:none') or contains({_STYLE}, 'visibility:hidden')]",
]
#: The loggers of trafilatura and the packages it drives: their warnings are about the page, not the tool.
_EXTRACTOR_LOGGERS = ("trafilatura", "justext", "htmldate", "courlan")


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
    def evidence_text(self) -> str:
        """``text`` with its furniture blanked out (spaces, newlines kept: the same length, so offsets hold):
        where evidence may be found. A menu or a "Most Commented" list is never evidence."""
        text = self.text
        for start, end in reversed(self.furniture):
            text = text[:start] + "".join(c if c == "\n" else " " for c in text[start:end]) + text[end:]
        return text

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
        return document_from_bytes(_read_stdin(), path="-")
    label = _label(name)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        if re.match(r"(?i)(https?|ftp)://", name):
            raise InputError(f"{label}: a URL; summarizer reads files, not the web: save the page, name the file") from None
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


def _read_stdin() -> bytes:
    """Standard input as bytes; closed (``<&-``) or unreadable standard input is an :class:`InputError`."""
    stream = getattr(sys.stdin, "buffer", None)  # None when the process started with stdin closed
    if stream is None:
        raise InputError("<stdin>: standard input is closed (nothing to read from '-')")
    try:
        return _read_bounded(stream, "<stdin>")
    except ValueError:  # "I/O operation on closed file"
        raise InputError("<stdin>: standard input is closed (nothing to read from '-')") from None
    except OSError as exc:
        raise InputError(f"<stdin>: cannot read standard input: {exc.strerror or exc}") from None


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


def _missing_dependency(exc: ImportError) -> MissingDependencyError:
    """The one-line error for an HTML extractor that cannot be imported: which package, and how to add it.

    lxml 5.2 moved its HTML cleaner out to ``lxml_html_clean``; pips older than 23.3 do not match the
    ``html_clean`` extra that trafilatura's dependencies ask for with lxml's ``html-clean``, and install
    without it. The package now depends on ``lxml_html_clean`` directly, but an environment can still lack it.
    """
    name = exc.name or ""
    detail = next(iter(str(exc).splitlines()), "") or type(exc).__name__
    if "lxml_html_clean" in str(exc) or name.startswith(("lxml_html_clean", "lxml.html.clean")):
        package = "lxml_html_clean"
    else:
        package = name.split(".")[0] or "trafilatura"
    pip = f"{shlex.quote(sys.executable)} -m pip install {package}"
    return MissingDependencyError(
        f"reading HTML needs the Python package {package}, which cannot be imported ({detail}); "
        f"install it with: {pip}"
    )


class _ExtractorLogs(logging.Handler):
    """Re-logs the extractor's records under this module's logger, at INFO at most.

    trafilatura logs "discarding data", "empty HTML tree" and the like at WARNING and ERROR for pages it
    cannot use; the tool already says so in its own error, so these show only with ``-v`` (INFO) and no
    longer reach stderr by default.
    """

    def emit(self, record: logging.LogRecord) -> None:
        level = min(record.levelno, logging.INFO)
        if not logger.isEnabledFor(level):
            return
        record.levelno, record.levelname = level, logging.getLevelName(level)
        logger.handle(record)


def _route_extractor_logs() -> None:
    """Send the extractor's log records through :class:`_ExtractorLogs` instead of straight to the root."""
    for name in _EXTRACTOR_LOGGERS:
        third_party = logging.getLogger(name)
        if not any(isinstance(h, _ExtractorLogs) for h in third_party.handlers):
            third_party.addHandler(_ExtractorLogs())
            third_party.propagate = False


def _extractor() -> tuple[Any, Any]:
    """trafilatura's ``extract`` and its ``LRUCache``, imported on first use (it is slow to import)."""
    try:
        import trafilatura
        from trafilatura.deduplication import LRUCache
    except ImportError as exc:
        raise _missing_dependency(exc) from None
    _route_extractor_logs()
    return trafilatura.extract, LRUCache


def _extract_html(html: str, label: str) -> str:
    """The article text of an HTML page, via trafilatura."""
    extract, lru_cache = _extractor()
    extracted: str | None = None
    attempts = [
        (prune, precision)
        for prune in (_PRUNE_XPATH + _HIDDEN_XPATH, _PRUNE_XPATH)
        for precision in (True, False)
    ]
    for prune, precision in attempts:
        try:
            extracted = extract(
                html,
                include_comments=False,
                include_tables=False,
                include_images=False,
                include_links=False,
                favor_precision=precision,
                # A fresh cache per call: the default global one makes a page loaded a few times come back empty.
                deduplicate=lru_cache(),
                prune_xpath=prune,
            )
        except ImportError as exc:  # a part imported on first use
            raise _missing_dependency(exc) from None
        if extracted and extracted.strip():
            if len(prune) == len(_PRUNE_XPATH):
                logger.info("%s: no visible article text; reading the hidden elements too", label)
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


__all__ = ["Document", "document_from_bytes", "document_from_text", "load_document"]
