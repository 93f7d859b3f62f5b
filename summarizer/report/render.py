"""Render results as text, Markdown or JSON. Pure functions: a result in, a string out.

:func:`render_summary` and :func:`render_check` pick the format; the text is written by
:mod:`summarizer.report.text`, the Markdown by :mod:`summarizer.report.markdown`. The HTML report
(:mod:`summarizer.report.html`) shares :func:`~summarizer.report.views.claim_views` with the Markdown, so
both say the same thing about each claim: its status (the verdict when checked, else whether its
evidence was located), kind, attribution, evidence with offsets, and reason.
"""

from __future__ import annotations

from typing import Literal

from ..types import CheckReport, Summary
from .markdown import _check_markdown, _summary_markdown
from .terminal import terminal_safe
from .text import _check_text, _summary_text

__all__ = ["FORMATS", "render_check", "render_summary"]

Format = Literal["text", "markdown", "json", "html"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "html")


def render_summary(summary: Summary, fmt: Format) -> str:
    """``summary`` as JSON, Markdown or text; Markdown and text show control characters as escape codes
    (:func:`~summarizer.report.terminal.terminal_safe`), so none reaches a terminal from the source or the
    model."""
    if fmt == "json":
        return summary.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return terminal_safe(_summary_markdown(summary))
    return terminal_safe(_summary_text(summary))


def render_check(report: CheckReport, fmt: Format) -> str:
    """``report`` as JSON, Markdown or text (control characters shown, as in :func:`render_summary`)."""
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return terminal_safe(_check_markdown(report)) + "\n"
    return terminal_safe(_check_text(report)) + "\n"
