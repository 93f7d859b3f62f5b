"""What a check is given: claims read from a file, whether checking them needs a model, and the rule that
there must be something to check.

The command line, the batch tasks and :func:`summarizer.check` all decide these the same way, here:

* :func:`read_claims` — claims from a file: one per line, a JSON list (strings, or objects with a
  ``claim`` or ``text`` field), or JSONL (one such string or object per line);
* :func:`default_split` — how a summary is cut when the caller does not say: by sentences in ``local``
  mode (which promises no model), by the model otherwise;
* :func:`needs_model` — whether a check calls a model at all (``mode="local"`` with claims given, or a
  summary split by sentences, calls none);
* :func:`require_claims` — "nothing to check" (no claims and no summary) is a :class:`ConfigError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Literal

from ..errors import ConfigError

__all__ = ["Mode", "Split", "default_split", "needs_model", "read_claims", "require_claims"]

#: ``hybrid``: zero-token checks first, the model for the rest; ``local``: no model; ``model``: every
#: claim to the model (the local signals still go along as hints).
Mode = Literal["hybrid", "local", "model"]
#: How a free-text summary is cut into claims: by the model, or by sentences (zero tokens).
Split = Literal["model", "sentences"]

#: What the command line suggests when there is nothing to check.
NOTHING_TO_CHECK_HINT = "give --claim, --claims FILE or --summary FILE"


def default_split(mode: str, split: Split | None = None) -> Split:
    """``split`` when given; else ``sentences`` for ``mode="local"`` (no model, so none to split a summary
    either) and ``model`` for the other modes."""
    if split is not None:
        return split
    return "sentences" if mode == "local" else "model"


def needs_model(mode: str, summary: object, split: str) -> bool:
    """Whether checking calls a model: any mode but ``local``, or a summary the model must split.

    ``summary`` is the summary text (or anything truthy-by-presence: only ``None`` means "no summary").
    """
    return mode != "local" or (summary is not None and split == "model")


def require_claims(claims: Sequence[str], summary: str | None, *, hint: str = NOTHING_TO_CHECK_HINT) -> None:
    """Raise :class:`ConfigError` ("nothing to check") when there are no claims and no summary."""
    if not claims and summary is None:
        raise ConfigError(f"nothing to check: {hint}")


def read_claims(path: str | os.PathLike[str]) -> list[str]:
    """Claims from a file: a JSON list (strings or objects with "claim"/"text"), JSONL, or one per line.

    The file is read like any document (:func:`summarizer.load_document`: an empty or binary file is an
    :class:`~summarizer.errors.InputError`); a malformed JSON list or line, or an empty claim in a JSON
    list or line, is a :class:`ConfigError` naming the file and the line.
    """
    from ..text.documents import load_document

    name = os.fspath(path)
    text = load_document(name).text
    stripped = text.lstrip()

    def claim_of(value: object, where: str) -> str:
        if isinstance(value, dict):
            value = next((value[key] for key in ("claim", "text") if isinstance(value.get(key), str)), value)
        if isinstance(value, str):
            if not value.strip():
                raise ConfigError(f"{name}: {where}: the claim is empty")
            return value
        raise ConfigError(f"{name}: {where}: expected a string or an object with a 'claim' field")

    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(data, list):  # pragma: no cover - a text starting with "[" parses to a list
            raise ConfigError(f"{name}: expected a JSON list of claims")
        return [claim_of(v, f"item {i}") for i, v in enumerate(data, 1)]
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if stripped.startswith("{") or name.endswith(".jsonl"):
        claims = []
        for n, line in lines:
            try:
                claims.append(claim_of(json.loads(line), f"line {n}"))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{name}: line {n} is not valid JSON ({exc.msg})") from None
        return claims
    return [line for _, line in lines]
