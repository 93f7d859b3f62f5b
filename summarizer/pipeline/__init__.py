"""The two pipelines: summarize a document, check claims against a source.

* :mod:`~summarizer.pipeline.summary` — :func:`summarize` / :func:`asummarize`: the plan of model calls for
  one document, its prompt, the fit in the context window, estimates;
* :mod:`~summarizer.pipeline.plan` — the generator protocol both clients (sync and async) run;
* :mod:`~summarizer.pipeline.longdoc` — map-reduce for documents too long for one call;
* :mod:`~summarizer.pipeline.assemble` — a draft grounded and turned into the :class:`Summary`;
* :mod:`~summarizer.pipeline.checking` — :func:`check`, :func:`decompose`: zero-token checks first, the model
  for the rest;
* :mod:`~summarizer.pipeline.model_check` — the claims that need the model: batches, windows, aggregation.
"""
