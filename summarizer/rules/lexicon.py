"""The vocabulary of the zero-token checks: word lists and the regular expressions that read numbers,
dates, names, quotations and negations.

Data only (and the two helpers that build word lists); :mod:`summarizer.rules.checker` and the modules
beside it use them.
"""

from __future__ import annotations

import re


def _words(words: str) -> list[str]:
    return words.split()


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- vocabulary -----------------------------------------------------------------------------------

_UNITS = {
    w: i
    for i, w in enumerate(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        )
        + _words("sixteen seventeen eighteen nineteen")
    )
}
_TENS = {w: 10 * i for i, w in enumerate(_words("twenty thirty forty fifty sixty seventy eighty ninety"), 2)}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINALS = {
    w: i
    for i, w in enumerate(_words("third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"), 3)
}
_ORDINALS |= {"twentieth": 20, "thirtieth": 30}
#: Read in the source only ("first" and "second" are too often not numbers to be checked in a claim).
_SOURCE_ONLY_WORDS = {"first": 1, "second": 2, "dozen": 12, "half": 0.5, "once": 1, "twice": 2, "single": 1}
_NUM_WORD = r"(?:" + "|".join([*_UNITS, *_TENS, "hundred", *_SCALES]) + r")"
_NUMBER_WORD_RE = re.compile(
    rf"\b(?:a\s+(?=hundred|thousand|million|billion|trillion))?{_NUM_WORD}(?:[\s-]+(?:and\s+)?{_NUM_WORD})*\b",
    re.IGNORECASE,
)
_ORDINAL_WORD_RE = re.compile(r"\b(?:" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)
_SOURCE_ONLY_WORD_RE = re.compile(r"\b(?:" + "|".join(_SOURCE_ONLY_WORDS) + r")\b", re.IGNORECASE)
_PERCENT_AFTER_RE = re.compile(r"\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
_SPOKEN_NUMBER = r"(?:\d+|(?:(?:" + "|".join([*_UNITS, *_TENS]) + r")(?:[\s-]+(?=[a-z]))?)+)"
#: Decimals as spoken in transcripts: "twelve point five", "twelve euros and fifty (cents)".
_SPOKEN_DECIMAL_RE = re.compile(
    rf"\b(?P<a>{_SPOKEN_NUMBER})\s+(?:point|dot|(?:dollars?|euros?|pounds?|bucks)\s+and(?:\s+\w)?)\s+"
    rf"(?P<b>{_SPOKEN_NUMBER})\b",
    re.IGNORECASE,
)

_MONTHS = {
    name: i
    for i, name in enumerate(
        _words("january february march april may june july august september october november december"), 1
    )
}
_MONTH_ABBR = {name[:3]: num for name, num in _MONTHS.items()} | {"sept": 9}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAME = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" + (
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_MONTH_DAY_RE = re.compile(rf"\b(?P<month>{_MONTH_NAME})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]?\d)")
_DAY_MONTH_RE = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAME})\b")
_MONTH_RE = re.compile(rf"\b{_MONTH_NAME}(?=\W|$)")
_WEEKDAY_RE = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASH_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")

_NUMBER_RE = re.compile(
    r"(?<![\w.,])(?<![A-Za-z]-)"
    r"(?P<cur>[$€£¥]\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<ord>st|nd|rd|th)?"
    r"(?P<scale>\s?(?:thousand|million|billion|trillion)\b|(?:mn|bn|[kKmMbB])\b)?"
    r"(?P<pct>\s?%|\s?percent\b|\s?per\s?cent\b|\s?percentage points?\b)?"
)
_LIST_MARKER_RE = re.compile(r"\d{1,2}[.)](?:\s|$)")
_PERIOD_CODE_RE = re.compile(r"^(?:Q[1-4]|H[12]|FY\d{2,4}|\d{1,2}[QH])$")

_NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|unable|lack|lacks|lacked)\b|n['’]t\b",
    re.IGNORECASE,
)
_NEGATIONS = _wordset(
    """
    not no never none nobody nothing neither nor without cannot unable lack lacks lacked
    """
)

#: The one stopword list of the package (content words are the rest; see :mod:`summarizer.rules.words`).
STOPWORDS = _wordset(
    """
    a an the and or but if then than so as of at by for from in into on onto to with within about
    over under up down out off again further once here there when where why how all any both each
    few more most other some such only own same too very can will just should would could may might
    must shall do does did doing done be been being am is are was were have has had having i me my
    we our you your he him his she her it its they them their this that these those what which who
    whom whose also however while because until during before after above below between through
    against among per via yet said says say one ones
    """
)

#: Capitalised words that begin sentences without being names (checked only at a sentence start).
_COMMON_OPENERS = _wordset(
    """
    additionally also although overall finally furthermore moreover meanwhile however therefore thus
    hence later lastly firstly secondly thirdly next then afterwards subsequently ultimately
    consequently instead similarly likewise besides nevertheless nonetheless still yet though
    despite notably importantly interestingly unfortunately fortunately initially eventually
    currently recently today tomorrow yesterday both either neither each every many several some
    most few all none no not nothing nobody everyone everybody someone somebody anyone he she it
    they we you i his her its their our your my this that these those there here what when where
    which who why how whether while after before since during in on at by for from with without to
    of as an a the and but or so if because although though unless until upon within throughout
    across according among along around about above below under over between into onto out further
    other another such one two three four five six seven eight nine ten speaker speakers host hosts
    participants participant group team company customer client agent author authors paper study
    researchers document podcast meeting discussion conversation email call summary article text
    report episode transcript dialogue chapter section user users
    """
)

#: Abbreviations that are ordinary vocabulary rather than names: their absence from the source says little.
_GENERIC_ABBREVIATIONS = _wordset(
    """
    yoy qoq mom ytd ttm ceo cfo coo cto cmo vp svp evp eps ebit ebitda gaap ipo gdp cpi kpi roi faq
    diy ok tv pc am pm a.m p.m usd eur gbp r&d m&a q&a ai ml it hr pr fyi asap etc aka
    """
)

#: Words that are part of many names without being what distinguishes them ("New York City").
_GENERIC_NAME_WORDS = _wordset(
    """
    city town village county state states region province district area territory republic kingdom
    north south east west northern southern eastern western central upper lower greater new old
    great river lake sea ocean bay mountain mountains mount island islands park street road avenue
    square university college school academy institute court department ministry office agency
    council committee commission board company corporation group party club church hospital museum
    library center centre hall house beach coast valley bridge tower station airport port harbour
    harbor national international federal royal united general first second
    """
)

#: Spellings of the same very common names, any of which counts for the others.
_ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"united states", "u.s", "us", "usa", "u.s.a", "america", "american", "americans"}),
    frozenset({"united kingdom", "u.k", "uk", "britain", "british", "great britain"}),
    frozenset({"european union", "eu"}),
    frozenset({"united nations", "un", "u.n"}),
)

_WORD_RE = re.compile(r"[^\W_](?:[\w&]|['’.\-](?=[^\W_]))*")
_CAPITALISED_RE = re.compile(r"[A-Z][\w]*(?:['’\-&.][\w]+)*")
_ELISION_RE = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\.\.\.|…)\s*")
_QUOTE_RE = re.compile(r"[\"“”]([^\"“”]{2,200}?)[\"“”]")
_TOKEN_RE = re.compile(r"[^\W_]+")


_TITLES = _wordset(
    """
    mr mrs ms dr prof professor president justice judge senator sen governor gov mayor king queen
    prince princess sir lady lord pope chancellor minister secretary general coach captain
    """
)
