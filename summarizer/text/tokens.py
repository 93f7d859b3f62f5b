"""Token counts and budgets with tiktoken, offline.

The ``o200k_base`` and ``cl100k_base`` rank files ship inside the package (``summarizer/text/encodings/``)
and are verified against tiktoken's own sha256 on load, so counting never downloads anything.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "ChatTokenCount",
    "count_message_tokens",
    "count_tokens",
    "encoding_for_model",
    "encoding_name_for_model",
    "max_message_tokens",
]

_ENCODINGS_DIR = Path(__file__).parent / "encodings"
_ENDOFTEXT = "<|endoftext|>"
_ENDOFPROMPT = "<|endofprompt|>"

# The split patterns and special tokens are those tiktoken registers for these encodings.
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PATTERN = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""


@dataclass(frozen=True)
class _EncodingSpec:
    file: str
    sha256: str
    pattern: str
    special_tokens: dict[str, int]


_SPECS: dict[str, _EncodingSpec] = {
    "o200k_base": _EncodingSpec(
        "o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        {_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
    ),
    "cl100k_base": _EncodingSpec(
        "cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        {
            _ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            _ENDOFPROMPT: 100276,
        },
    ),
}
_lock = threading.Lock()
_loaded: dict[str, tiktoken.Encoding] = {}


def get_encoding(name: str) -> tiktoken.Encoding:
    """A bundled encoding, loaded once per process (the rank file's sha256 checked): ~0.5 s of CPU.

    Threads asking at the same time wait for the first one's load rather than each loading their own.
    """
    encoding = _loaded.get(name)
    if encoding is None:
        with _lock:
            encoding = _loaded.get(name)
            if encoding is None:
                encoding = _loaded[name] = _load_encoding(name)
    return encoding


def _load_encoding(name: str) -> tiktoken.Encoding:
    from binascii import a2b_base64  # what base64.b64decode calls, without its per-call checks

    import tiktoken

    spec = _SPECS.get(name)
    if spec is None:
        raise ConfigError(f"unknown encoding {name!r}; bundled: {', '.join(sorted(_SPECS))}")
    data = (_ENCODINGS_DIR / spec.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise ConfigError(f"bundled encoding {spec.file} is corrupt (sha256 {digest[:12]}...)")
    ranks = {
        a2b_base64(token): int(rank) for token, rank in (line.split() for line in data.splitlines() if line)
    }
    return tiktoken.Encoding(
        name, pat_str=spec.pattern, mergeable_ranks=ranks, special_tokens=spec.special_tokens
    )


def encoding_name_for_model(model: str) -> str:
    """tiktoken's encoding for an OpenAI model name; ``o200k_base`` for any model it does not know."""
    import tiktoken

    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        return "o200k_base"
    return name if name in _SPECS else "o200k_base"


def encoding_for_model(model: str) -> tiktoken.Encoding:
    return get_encoding(encoding_name_for_model(model))


def count_tokens(text: str, model: str) -> int:
    """Tokens in ``text`` for ``model`` (special-token text is counted as ordinary text)."""
    return len(encoding_for_model(model).encode(text, disallowed_special=()))


@dataclass(frozen=True)
class ChatTokenCount:
    prompt_tokens: int


def count_message_tokens(messages: Iterable[dict[str, str]], model: str) -> int:
    """Prompt tokens of a chat request, with OpenAI's per-message framing (3 per message, 3 to prime)."""
    enc = encoding_for_model(model)
    total = 3
    for message in messages:
        total += 3
        for value in message.values():
            total += len(enc.encode(value, disallowed_special=()))
    return total


def max_message_tokens(messages: Iterable[dict[str, str]]) -> int:
    """An upper bound on :func:`count_message_tokens`, without tokenizing: every token of these byte-level
    encodings stands for one UTF-8 byte at least. Microseconds, where counting takes about 1 ms per
    1,000 tokens (and 0.5 s to load the encoding the first time)."""
    total = 3
    for message in messages:
        total += 3
        for value in message.values():
            total += len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
    return total
