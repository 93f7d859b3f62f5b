"""The two pipelines: summarize a document, check claims against a source."""
