"""Test helpers, imported as ``from tests._support import ...``: paths, the scripted model server behind a
MockTransport (faults), the fake OpenAI-compatible HTTP server, the headless browser, report results."""
