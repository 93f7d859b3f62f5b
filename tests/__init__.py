"""The test suite; it mirrors the package (tests/<folder>/test_<module>.py). Helpers live in tests/_support."""
