"""summarizer: structured, grounded summaries and claim checks whose evidence is located in the source.

The public API (``docs/library.md``)::

    from summarizer import Client, check, load_document, summarize

    result = summarize(text)            # a pydantic Summary (asummarize: the async twin)
    for claim in result.claims:
        for ev in claim.evidence:       # text[ev.start:ev.end] is where ev.quote stands
            ...
    report = check(text, ["The toll was abolished in 2005."])   # a pydantic CheckReport (acheck: async)
    client = Client("gpt-4o-mini", timeout=60)                  # configured once, passed as client=

Everything listed in ``__all__`` is importable from here, whatever was imported before: no submodule of
this package has a public name (a test imports them in every order). Heavy modules (openai, tiktoken,
trafilatura) load on first use, not at import: the names below are resolved lazily from the modules that
define them (see ``docs/architecture.md`` for the layout).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    APIError,
    AuthenticationError,
    BudgetExceededError,
    ConfigError,
    ConnectionFailedError,
    ContextLengthError,
    InputError,
    InvalidOutputError,
    MissingDependencyError,
    ModelError,
    RateLimitError,
    RefusalError,
    SummarizerError,
    TimedOutError,
    TruncatedOutputError,
)

if TYPE_CHECKING:
    from .llm.connect import Client
    from .pipeline.checking import acheck, check
    from .pipeline.claims import needs_model, read_claims
    from .pipeline.estimates import Estimate, estimate_check, estimate_summary
    from .pipeline.summary import asummarize, summarize
    from .text.documents import Document, document_from_text, load_document
    from .types import (
        CheckProvenance,
        CheckReport,
        Claim,
        ClaimCheck,
        Entity,
        Event,
        Evidence,
        Provenance,
        ProvenanceBase,
        Signal,
        Summary,
        Usage,
        VerdictCounts,
    )

__all__ = [
    "APIError",
    "AuthenticationError",
    "BudgetExceededError",
    "CheckProvenance",
    "CheckReport",
    "Claim",
    "ClaimCheck",
    "Client",
    "ConfigError",
    "ConnectionFailedError",
    "ContextLengthError",
    "Document",
    "Entity",
    "Estimate",
    "Event",
    "Evidence",
    "InputError",
    "InvalidOutputError",
    "MissingDependencyError",
    "ModelError",
    "Provenance",
    "ProvenanceBase",
    "RateLimitError",
    "RefusalError",
    "Signal",
    "SummarizerError",
    "Summary",
    "TimedOutError",
    "TruncatedOutputError",
    "Usage",
    "VerdictCounts",
    "__version__",
    "acheck",
    "asummarize",
    "check",
    "document_from_text",
    "estimate_check",
    "estimate_summary",
    "load_document",
    "needs_model",
    "read_claims",
    "summarize",
]

#: Public name -> the module (relative to this package) that defines it, imported on first access.
_LAZY = {
    "summarize": "pipeline.summary",
    "asummarize": "pipeline.summary",
    "check": "pipeline.checking",
    "acheck": "pipeline.checking",
    "Client": "llm.connect",
    "read_claims": "pipeline.claims",
    "Estimate": "pipeline.estimates",
    "estimate_summary": "pipeline.estimates",
    "estimate_check": "pipeline.estimates",
    "document_from_text": "text.documents",
    "needs_model": "pipeline.claims",
    "Document": "text.documents",
    "load_document": "text.documents",
    "Summary": "types",
    "Claim": "types",
    "Evidence": "types",
    "Usage": "types",
    "CheckReport": "types",
    "ClaimCheck": "types",
    "Entity": "types",
    "Event": "types",
    "Provenance": "types",
    "ProvenanceBase": "types",
    "CheckProvenance": "types",
    "Signal": "types",
    "VerdictCounts": "types",
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
