"""Where the test suite finds the repository, the cassettes and the example article."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
CASSETTES = ROOT / "cassettes"
DATA = TESTS / "data"
EXAMPLE = ROOT / "examples" / "harbour-bridge-vote.txt"
#: The endpoint cassettes were recorded from (the local llama-server).
RECORDED_BASE_URL = "http://127.0.0.1:8080/v1"
