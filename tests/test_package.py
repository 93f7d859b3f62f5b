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
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "summarizer").rglob("*.py"))
    for requirement in declared:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]
        module = modules.get(name, name.replace("-", "_"))
        assert re.search(rf"^\s*(import|from) {module}\b", source, re.M), f"{name} is declared but never imported"
