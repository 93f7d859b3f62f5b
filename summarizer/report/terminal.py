"""Text bound for a terminal, made safe: control characters from a source, a model or a file name are
shown, not obeyed.

A summary's text output prints what the source and the model wrote; an ANSI or OSC escape sequence among
it (``ESC [ 2 J``, ``ESC ] 8 ;; url``...), a carriage return or a backspace would act on the terminal:
clear it, rewrite lines, retitle the window, plant links. :func:`terminal_safe` writes every such
character as an escape code instead (``\\x1b``, ``\\r``, ``\\u202e``): the C0 controls but tab and line
feed, DEL, the C1 controls (U+0080-U+009F, which some terminals obey as 8-bit CSI), and the Unicode
bidirectional overrides and isolates (which reorder what the terminal shows). Text, Markdown and the
command line's own messages go through it.
"""

from __future__ import annotations

import re

__all__ = ["terminal_safe"]

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _code(match: re.Match[str]) -> str:
    point = ord(match.group())
    if point == 0x0D:
        return "\\r"
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character that would act on a terminal written as an escape code."""
    return _UNSAFE.sub(_code, text)
