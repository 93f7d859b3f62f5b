"""summarizer: structured, grounded summaries and claim checks whose evidence is located in the source.

The public API::

    from summarizer import summarize
    result = summarize(text)            # a pydantic Summary
    for claim in result.claims:
        for ev in claim.evidence:       # text[ev.start:ev.end] is where ev.quote stands
            ...

Heavy modules (openai, tiktoken, trafilatura) load on first use, not at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    APIError,
    AuthenticationError,
    ConfigError,
    ConnectionFailedError,
    ContextLengthError,
    InputError,
    InvalidOutputError,
    ModelError,
    RateLimitError,
    RefusalError,
    SummarizerError,
    TruncatedOutputError,
)

if TYPE_CHECKING:
    from .pipeline.summary import asummarize, summarize
    from .text.documents import Document, load_document
    from .types import Claim, Evidence, Summary, Usage

__all__ = [
    "APIError",
    "AuthenticationError",
    "Claim",
    "ConfigError",
    "ConnectionFailedError",
    "ContextLengthError",
    "Document",
    "Evidence",
    "InputError",
    "InvalidOutputError",
    "ModelError",
    "RateLimitError",
    "RefusalError",
    "SummarizerError",
    "Summary",
    "TruncatedOutputError",
    "Usage",
    "__version__",
    "asummarize",
    "load_document",
    "summarize",
]

_LAZY = {
    "summarize": "pipeline.summary",
    "asummarize": "pipeline.summary",
    "Document": "text.documents",
    "load_document": "text.documents",
    "Summary": "types",
    "Claim": "types",
    "Evidence": "types",
    "Usage": "types",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .version import get_version

        return get_version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
