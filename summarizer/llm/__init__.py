"""Everything model-facing: the client, what the model is asked to fill in, the prompts, the error mapping.

* :mod:`~summarizer.llm.client` — :class:`LLM` and :class:`AsyncLLM`: the one place that talks to the API
  (structured output, validation and re-asks, usage);
* :mod:`~summarizer.llm.logprobs` — short answers read from log-probabilities (the claim checker's scores);
* :mod:`~summarizer.llm.prompt_lists` — many such prompts in one call to a llama-server;
* :mod:`~summarizer.llm.drafts` — the drafts the model fills in, and their strict JSON Schema;
* :mod:`~summarizer.llm.prompts` — the templates in ``prompts/``, rendered into chat messages;
* :mod:`~summarizer.llm.error_map` — SDK and transport errors mapped to :mod:`summarizer.errors`.
"""
