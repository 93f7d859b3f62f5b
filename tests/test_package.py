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


_ORDER_PROBE = r"""
import importlib, inspect, itertools, pkgutil, sys

import summarizer
import summarizer.errors as errors_module

public = list(summarizer.__all__)
errors = sorted(n for n, v in vars(errors_module).items()
                if inspect.isclass(v) and issubclass(v, errors_module.SummarizerError))
functions = {"summarize", "check", "load_document", "read_claims", "needs_model", "estimate_summary",
             "estimate_check", "document_from_text"}
coroutines = {"asummarize", "acheck"}
classes = {"Summary", "CheckReport", "Claim", "ClaimCheck", "Evidence", "Usage", "Document", "Client",
           "Provenance", "CheckProvenance", "Entity", "Event", "Signal", "VerdictCounts", "Estimate", *errors}
assert set(errors) <= set(public), sorted(set(errors) - set(public))
assert functions | coroutines | classes <= set(public), sorted((functions | coroutines | classes) - set(public))
submodules = sorted(m.name for m in pkgutil.walk_packages(summarizer.__path__, "summarizer.")
                    if not m.name.endswith("__main__"))
# no submodule of the package itself has a public name, so none can shadow one
assert not {m.split(".")[1] for m in submodules} & set(public)


def fresh():
    for name in [m for m in sys.modules if m == "summarizer" or m.startswith("summarizer.")]:
        del sys.modules[name]


def verify(names):
    namespace = {}
    exec(f"from summarizer import {', '.join(names)}", namespace)
    for name in names:
        value = namespace[name]
        if name in functions:
            assert inspect.isfunction(value), (name, value)
        elif name in coroutines:
            assert inspect.iscoroutinefunction(value), (name, value)
        elif name in classes:
            assert inspect.isclass(value), (name, value)


# Importing a submodule binds its name in the package: the way a module could shadow a public name. Both
# directions: every submodule imported before any public name is resolved, and after all were resolved.
fresh()
for module in submodules:
    importlib.import_module(module)
verify(public)
fresh()
verify(public)
for module in submodules:
    importlib.import_module(module)
verify(public)
# the entry points and the modules that define them, in every order
steps = ["import summarizer.cli", "import summarizer.pipeline.summary", "import summarizer.pipeline.checking",
         "from summarizer import summarize, asummarize, check, acheck"]
for order in itertools.permutations(steps):
    fresh()
    for step in order:
        exec(step, {})
    verify(["summarize", "asummarize", "check", "acheck", "load_document", "Summary", "CheckReport", *errors])
print(len(submodules), "submodules")
"""


def test_the_public_api_is_the_same_whatever_was_imported_first() -> None:
    """summarize, asummarize, check, acheck, load_document, the result types and every error class come
    from the top level as what they are (never a module), after any submodule and in every order."""
    result = subprocess.run([sys.executable, "-c", _ORDER_PROBE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[0]) > 40  # it did walk the package


def test_every_declared_dependency_is_used() -> None:
    """A dependency nothing imports is not declared (tenacity was: transport retries are the SDK's, and the
    bounded re-ask is a counter woven into the structured-output fallback)."""
    import re

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    modules = {"charset-normalizer": "charset_normalizer"}
    # declared for a dependency's sake, as pyproject.toml says beside it
    for_others = {"lxml_html_clean"}  # trafilatura's jusText imports it; old pips skip lxml's extra
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "summarizer").rglob("*.py"))
    for requirement in declared:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]
        if name in for_others:
            continue
        module = modules.get(name, name.replace("-", "_"))
        assert re.search(rf"^\s*(import|from) {module}\b", source, re.M), f"{name} is declared but never imported"
