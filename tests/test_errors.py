"""The exception hierarchy: one exit code per cause (summarizer.errors)."""

from __future__ import annotations

from summarizer import errors


def test_exit_codes_are_distinct() -> None:
    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.SummarizerError)
    ]
    leaf_codes = [c.exit_code for c in classes if c not in (errors.SummarizerError, errors.ModelError)]
    assert len(leaf_codes) == len(set(leaf_codes))
