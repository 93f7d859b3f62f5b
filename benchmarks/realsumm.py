"""REALSumm's CNN/DailyMail test articles (../shared/eval) made readable, for the benchmarks that summarise them.

No import of summarizer here: benchmarks/summary_tokens.py measures whichever tree is first on sys.path.
"""

from __future__ import annotations

import re


def article_text(line: str) -> str:
    """REALSumm lines are lower-cased and tokenised with <t> markers; make them readable prose."""
    text = re.sub(r"</?t>", " ", line)
    text = re.sub(r" ([.,;:!?%')])", r"\1", text)
    text = re.sub(r"([($]) ", r"\1", text)
    text = text.replace(" n't", "n't").replace(" 's", "'s").replace("`` ", '"').replace(" ''", '"')
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return "\n".join(s[:1].upper() + s[1:] for s in sentences if s)
