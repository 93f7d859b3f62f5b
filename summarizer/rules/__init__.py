"""The zero-token checks: what a claim names (numbers, dates, names, quotations, negations) against its source.

* :mod:`~summarizer.rules.source` — :class:`SourceProfile`: the source analysed once (folded text, words,
  numbers, dates, sentences, postings, idf);
* :mod:`~summarizer.rules.checker` — :class:`LocalChecker`: each claim's signals, and the verdict when they
  settle it; :mod:`~summarizer.rules.names` and :mod:`~summarizer.rules.negation` read names and negations;
* :mod:`~summarizer.rules.words` — the one stemmer and stopword test;
* :mod:`~summarizer.rules.lexicon` — the word lists and vocabulary regexes;
* :mod:`~summarizer.rules.numbers` — numbers as written, with the rounding they imply;
* :mod:`~summarizer.rules.dates` — month and day helpers;
* :mod:`~summarizer.rules.modality` — hedges and attribution read off a summary claim's evidence.
"""
