"""The zero-token checks: what a claim names (numbers, dates, names, quotations, negations) against its source.

* :mod:`~summarizer.rules.checker` — :class:`LocalChecker`: the source analysed once, each claim's signals,
  and the verdict when they settle it;
* :mod:`~summarizer.rules.lexicon` — the word lists and vocabulary regexes;
* :mod:`~summarizer.rules.numbers` — numbers as written, with the rounding they imply;
* :mod:`~summarizer.rules.dates` — month and day helpers;
* :mod:`~summarizer.rules.modality` — hedges and attribution read off a summary claim's evidence.
"""
