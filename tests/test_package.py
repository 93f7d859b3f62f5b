"""The package as shipped and imported: the wheel's data files, the public API."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests._support.paths import ROOT


def test_wheel_ships_prompts_encodings_and_report_assets(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in (ROOT / "prompts").glob("*.txt"):
        assert f"summarizer/prompts/{prompt.name}" in names
    assert {"summarizer/text/encodings/o200k_base.tiktoken", "summarizer/text/encodings/cl100k_base.tiktoken"} <= names
    assert "summarizer/py.typed" in names
    assert {"summarizer/report/assets/report.css", "summarizer/report/assets/report.js"} <= names  # the HTML report's


def test_the_public_api_is_importable_from_the_top_and_loads_nothing_heavy() -> None:
    """Every public name comes from ``summarizer`` itself; importing it loads no SDK, tokenizer or HTML
    extractor; no submodule shadows a public function (summarize and check stay functions)."""
    code = (
        "import sys, inspect, summarizer\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'tiktoken', 'trafilatura'))\n"
        "assert heavy == [], heavy\n"
        "import summarizer.pipeline.summary, summarizer.pipeline.checking, summarizer.evaluation\n"
        "from summarizer import asummarize, check, summarize\n"
        "assert inspect.isfunction(summarize) and inspect.isfunction(check)\n"
        "assert inspect.iscoroutinefunction(asummarize)\n"
        "for name in summarizer.__all__:\n"
        "    getattr(summarizer, name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
