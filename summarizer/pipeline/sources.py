"""What ``summarize`` and ``check`` accept as the source: text, a :class:`Document`, or a path.

* a :class:`~summarizer.text.documents.Document` is used as it is;
* a ``pathlib.Path`` (any ``os.PathLike``) is read as the command line reads a file
  (:func:`~summarizer.text.documents.load_document`: decoded, HTML extracted, newlines normalised);
* a ``str`` is the text itself. A ``str`` that is nothing but the name of an existing file is refused
  with an :class:`~summarizer.errors.InputError` rather than summarised as a 20-character "document"
  (and paid for): pass ``Path(name)`` to read the file, or
  ``summarizer.text.documents.document_from_text(name)`` if those few characters really are the text.
"""

from __future__ import annotations

import os
from typing import Union

from ..errors import InputError
from ..text.documents import Document, document_from_text, load_document

__all__ = ["Source", "as_document"]

#: What the pipelines take as a source.
Source = Union[str, Document, "os.PathLike[str]"]

#: A string longer than this is text, whatever files exist.
_MAX_PATH_CHARS = 4096


def as_document(source: Source) -> Document:
    """The :class:`Document` for ``source`` (see the module docstring for what each kind means)."""
    if isinstance(source, Document):
        return source
    if isinstance(source, os.PathLike):
        return load_document(source)
    if isinstance(source, str):
        if _names_a_file(source):
            raise InputError(
                f"{source!r} is the name of a file, not text to summarize or check: pass Path({source!r}) "
                "to read the file (or document_from_text() if these characters really are the text)"
            )
        return document_from_text(source)
    raise TypeError(f"source must be str text, a pathlib.Path or a Document, not {type(source).__name__}")


def _names_a_file(text: str) -> bool:
    """Whether ``text`` is one line that names an existing file (and is nothing more)."""
    name = text.strip()
    if not name or "\n" in name or len(name) > _MAX_PATH_CHARS or "\x00" in name:
        return False
    try:
        return os.path.isfile(name)
    except (OSError, ValueError):  # a name the OS cannot even look up is not a file
        return False
