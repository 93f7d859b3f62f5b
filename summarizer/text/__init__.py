"""Text in, offsets out: reading documents, sentences, grounding, tokens and chunks.

* :mod:`~summarizer.text.documents` — read, decode, extract HTML: the :class:`Document` whose text every
  offset counts;
* :mod:`~summarizer.text.furniture` — which lines are page furniture (share buttons, link boxes, ...);
* :mod:`~summarizer.text.sentences` — the one sentence splitter;
* :mod:`~summarizer.text.folding` — character folds (NFKC, accents, quotes, dashes, digits) with a map back;
* :mod:`~summarizer.text.grounding` — locate quotes in the source, number its sentences;
* :mod:`~summarizer.text.tokens` — tiktoken encodings (bundled in ``encodings/``) and counting;
* :mod:`~summarizer.text.chunks` — the one chunker: runs of sentences under a token budget.
"""
