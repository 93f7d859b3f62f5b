"""The package as shipped and imported: the wheel's data files, the public API."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
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


#: What the sdist may hold at its top level: the package, what its tests and docs need, and the metadata.
SDIST_TOP = {"summarizer", "prompts", "tests", "cassettes", "docs", "examples", "scripts", "README.md", "LICENSE",
             "pyproject.toml", "PKG-INFO", ".gitignore"}  # fmt: skip
#: Working folders a checkout collects, some named like an included folder one level down.
STRAYS = [
    "venv/lib/python3.11/site-packages/somepkg/tests/test_x.py",  # a venv .gitignore does not name
    "env/share/docs/index.md",
    "notes/summarizer/draft.py",
    "scratch/examples/page.html",
    "scratch/prompts/try.txt",
    "results/run.jsonl",
    "test-artifacts/shot.png",
    ".venv/lib/python3.11/site-packages/x/tests/t.py",
    "summarizer/__pycache__/stray.cpython-311.pyc",
]


def _build(tree: Path, target: str, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", target, "-d", str(out)],
                   cwd=tree, check=True, capture_output=True)  # fmt: skip
    (built,) = out.glob("*.tar.gz" if target == "sdist" else "*.whl")
    return built


def test_sdist_holds_the_project_and_nothing_stray(tmp_path: Path) -> None:
    """The sdist include patterns are anchored at the top: a folder named like an included one deeper down
    (a venv's tests, notes/summarizer) and the usual working folders never enter it."""
    pytest.importorskip("hatchling")
    tree = tmp_path / "tree"
    skip = shutil.ignore_patterns(".git", ".venv", "venv", "results", "test-artifacts", "__pycache__", ".*_cache",
                                  ".hypothesis", "dist", "build")  # fmt: skip
    shutil.copytree(ROOT, tree, ignore=skip)
    for stray in STRAYS:
        (tree / stray).parent.mkdir(parents=True, exist_ok=True)
        (tree / stray).write_text("stray\n")
    sdist = _build(tree, "sdist", tmp_path / "dist")
    with tarfile.open(sdist) as tar:
        names = [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]
    assert {name.split("/")[0] for name in names} == SDIST_TOP
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    for prompt in (ROOT / "prompts").glob("*.txt"):
        assert f"prompts/{prompt.name}" in names


def test_the_package_index_metadata_and_the_licence_ship(tmp_path: Path) -> None:
    """A package index shows URLs, classifiers and the licence; the LICENSE text is the Apache-2.0 the
    metadata declares (hatchling also rejects an unknown classifier at build time)."""
    pytest.importorskip("hatchling")
    wheel = zipfile.ZipFile(_build(ROOT, "wheel", tmp_path))
    (info,) = {name.split("/")[0] for name in wheel.namelist() if name.endswith(".dist-info/METADATA")}
    meta = wheel.read(f"{info}/METADATA").decode()
    assert "License-Expression: Apache-2.0" in meta
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(re.findall(r"^Project-URL: (\w+), ", meta, re.M))
    assert "Classifier: Programming Language :: Python :: 3 :: Only" in meta
    licence = wheel.read(f"{info}/licenses/LICENSE").decode()
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.lstrip().startswith("Apache License\n                           Version 2.0, January 2004")
    assert "END OF TERMS AND CONDITIONS" in licence


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
