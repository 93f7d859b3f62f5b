"""Load the prompt templates in ``prompts/`` (at the top of the repository; ``summarizer/prompts/`` in an
installed wheel) and render them into chat messages.

A template file holds comment lines (``#``) and then sections that start with ``@@ system`` or ``@@ user``.
``{{name}}`` fills in a variable. ``{{document}}`` marks where the document goes: it is inserted last, by
concatenation, so its text is never read as template syntax. Instructions come first and the document
before any per-call material, so a provider's prompt cache can reuse the shared prefix.

A template's version is the hash of its file: it lands in every output's provenance.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import ConfigError

__all__ = ["PromptTemplate", "load_prompt", "prompts_dir"]

_SECTION = re.compile(r"^@@ (system|user|assistant)[ \t]*$", re.MULTILINE)
_VARIABLE = re.compile(r"\{\{(\w+)\}\}")
DOCUMENT_VARIABLE = "document"


def prompts_dir() -> Path:
    """``summarizer/prompts`` in an installed wheel; the repository's ``prompts/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent  # summarizer/
    for candidate in (package / "prompts", package.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("prompt templates not found (expected summarizer/prompts or prompts/)")


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    sections: tuple[tuple[str, str], ...]

    def render(self, document: str | None = None, **variables: object) -> list[dict[str, str]]:
        """Chat messages with ``variables`` filled in and ``document`` inserted as data."""
        messages = []
        for role, body in self.sections:
            text = _VARIABLE.sub(lambda m: self._value(m.group(1), variables), body)
            if document is not None:
                text = text.replace("\x00document\x00", _fence(document))
            messages.append({"role": role, "content": text})
        return messages

    def _value(self, name: str, variables: dict[str, object]) -> str:
        if name == DOCUMENT_VARIABLE:
            return "\x00document\x00"
        if name not in variables:
            raise ConfigError(f"prompt {self.name!r} needs variable {name!r}")
        return str(variables[name])


def _fence(document: str) -> str:
    """Keep the document from closing its own <document> fence."""
    return re.sub(r"</(document)>", r"<\\/\1>", document, flags=re.IGNORECASE)


@cache
def load_prompt(name: str) -> PromptTemplate:
    path = prompts_dir() / f"{name}.txt"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"no prompt template named {name!r} in {path.parent}") from None
    text = raw.decode("utf-8")
    parts = _SECTION.split(text)
    sections = tuple((parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts) - 1, 2))
    if not sections:
        raise ConfigError(f"prompt {name!r} has no '@@ system' or '@@ user' section")
    version = hashlib.sha256(raw).hexdigest()[:12]
    return PromptTemplate(name=name, version=version, sections=sections)
