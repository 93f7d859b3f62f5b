"""The exception hierarchy: one exit code per cause (summarizer.errors)."""

from __future__ import annotations

from summarizer import errors


def test_exit_codes_are_distinct() -> None:
    """Each class that names its own exit code names a different one; a refinement (TimedOutError of
    ConnectionFailedError) keeps its parent's code and says more in its message and attributes."""
    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.SummarizerError)
    ]
    own = [c for c in classes if "exit_code" in vars(c)]
    leaf_codes = [c.exit_code for c in own if c not in (errors.SummarizerError, errors.ModelError)]
    assert len(leaf_codes) == len(set(leaf_codes))
    assert {c for c in classes if c not in own} == {errors.TimedOutError}
    assert errors.TimedOutError.exit_code == errors.ConnectionFailedError.exit_code == 12
