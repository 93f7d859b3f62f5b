"""The progress of a run on stderr: a tqdm bar (documents done / total, then ok, failed, cached, tokens, cost)
shown only on a terminal.
"""

from __future__ import annotations

import sys
from typing import IO, Any, Protocol, TextIO

from .outcome import BatchOutcome

__all__ = ["Progress", "ProgressBar"]

# --- progress -----------------------------------------------------------------------------------------


class Progress(Protocol):
    def start(self, total: int, initial: int) -> None: ...
    def advance(self, outcome: BatchOutcome) -> None: ...
    def message(self, text: str) -> None: ...
    def close(self) -> None: ...


class ProgressBar:
    """A tqdm bar on stderr (documents done / total, then ok, failed, cached, tokens, cost).

    ``enabled=None`` shows it only when the stream is a terminal: piped or redirected, it stays quiet.
    """

    def __init__(self, *, file: TextIO | None = None, enabled: bool | None = None, desc: str = "") -> None:
        self.file = file if file is not None else sys.stderr
        self.enabled = _isatty(self.file) if enabled is None else enabled
        self.desc = desc
        self._bar: Any = None

    def start(self, total: int, initial: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

        self._bar = tqdm(
            total=total,
            initial=initial,
            file=self.file,
            desc=self.desc or None,
            unit="doc",
            dynamic_ncols=True,
            smoothing=0.1,
        )

    def advance(self, outcome: BatchOutcome) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(outcome.progress_text(), refresh=False)
            self._bar.update(1)

    def message(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self.file)
        else:
            print(text, file=self.file, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
