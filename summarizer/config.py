"""Every default of the project, in one place: constants only.

What the environment decides (the model endpoint, the cache folder, the local port) is read in
:mod:`summarizer.settings`; the exit codes of the command line live with the errors, in
:mod:`summarizer.errors`; the lookups in the price and context-window tables below are in
:mod:`summarizer.pricing`.
"""

from __future__ import annotations

# --- models and endpoints -------------------------------------------------------------------------
#: Model used when an OpenAI API key is configured and no model is named.
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
#: Model name sent to the bundled local llama-server (it serves whatever GGUF it loaded).
LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct"
LOCAL_HOST = "127.0.0.1"
#: The local server's port unless ``SUMMARIZER_LOCAL_PORT`` says otherwise (see settings.local_port).
LOCAL_PORT = 8080
#: llama-server ignores the key, but the OpenAI client insists on one.
LOCAL_API_KEY = "local-no-key"
#: Context window the local server is started with (tokens).
LOCAL_CONTEXT = 8192
#: Seconds `summarizer local stop` waits for the background server to end after SIGTERM before it kills it.
LOCAL_STOP_GRACE = 10.0

# --- calling the model ----------------------------------------------------------------------------
TEMPERATURE = 0.0
#: Transport retries (429, 5xx, timeouts, connection errors) are the SDK's, honouring Retry-After.
MAX_TRANSPORT_RETRIES = 3
#: Seconds one HTTP request may wait for the server (connect, send, and between two pieces of the answer)
#: before it times out (and the SDK retries it). A remote API answers a summary in well under a minute.
REQUEST_TIMEOUT = 120.0
#: The same for the bundled local server: a 1.5B model on a CPU writes a summary's 2,048 tokens at about
#: 10 tokens/s, after reading the prompt, and answers nothing before it is done.
LOCAL_REQUEST_TIMEOUT = 600.0
#: Seconds one document may take in all (every call, retry and re-ask, a slowly dripping answer
#: included): --deadline.
DOCUMENT_DEADLINE = 600.0
#: The same on the local server, where a long document's map-reduce makes one slow call per part.
LOCAL_DOCUMENT_DEADLINE = 3600.0
#: Re-asks after a response that fails validation. The prompt never grows past one failed answer.
MAX_REASKS = 2
#: Upper bound on the completion of one summary call: three times what the compact draft takes (about 350
#: tokens on the benchmark's articles), so a model stuck in a run of whitespace stops sooner.
SUMMARY_MAX_TOKENS = 1024
#: Tokens kept free for the answer when checking that a prompt fits the context window.
OUTPUT_RESERVE = 2048
#: Completion tokens assumed by --dry-run when estimating cost.
ESTIMATED_SUMMARY_OUTPUT_TOKENS = 400
#: Completion tokens a checked claim's verdict takes (quote, verdict, reason), for estimates: 86-94 in the
#: recorded answers of the local model; CHECK_TOKENS_PER_CLAIM below is the bound, not the expectation.
CHECK_EXPECTED_TOKENS_PER_CLAIM = 90
CHECK_EXPECTED_BATCH_TOKENS = 10
#: Completion tokens a decomposed claim takes, for estimates (55 in the recorded answer).
DECOMPOSE_EXPECTED_TOKENS_PER_CLAIM = 60

# --- long documents (map-reduce) ---------------------------------------------------------------------
#: A chunk's numbered sentences take at most this share of the room the context window leaves (window -
#: prompt overhead - OUTPUT_RESERVE): the server's tokenizer can count more than tiktoken, and a server
#: without json_schema gets the schema appended to the prompt.
CHUNK_BUDGET_MARGIN = 0.85
#: Smallest chunk budget (tokens of numbered sentences); halving stops here.
MIN_CHUNK_TOKENS = 256
#: Times the chunk budget is halved after the server answers context_length_exceeded, before giving up.
MAX_CHUNK_HALVINGS = 3
#: A chunk that must end mid-paragraph ends at its last paragraph break instead, if that keeps it this full.
PARAGRAPH_MIN_FILL = 0.5
#: Upper bound on the completion of one merge call.
MERGE_MAX_TOKENS = 1024

# --- what the summary asks for --------------------------------------------------------------------
# The prompt asks for at most these many, and the schema sent to the model (llm/drafts.py) allows them.
# The key points are the summary's first claims (its merge's, for a long document).
MAX_KEY_POINTS = 6
#: Each claim is also a key point candidate; every item the model writes is paid in generated tokens (at
#: most 12 claims, the local model wrote 12 long ones, and as many tokens as it had for 6 key points and 6
#: claims with quotes before: benchmarks/summary_tokens.py).
MAX_CLAIMS = 6
#: Schema bounds of the summary's entities and events (the prompt names no number for them; a strict
#: schema's bound is a grammar bound on a local server).
MAX_ENTITIES = 6
MAX_EVENTS = 4
#: The merge schema allows two key points more than its prompt asks for (MAX_KEY_POINTS): a merge of many
#: parts that keeps one or two extra points is not worth a re-ask.
MAX_MERGED_KEY_POINTS = 8
#: Claims kept for a long document: the first claim of every part, then the second, ... up to this many.
LONG_MAX_CLAIMS = 24

# --- checking claims ------------------------------------------------------------------------------
#: Claims per model call when checking. Small enough that the verdict JSON cannot hit the token limit.
CHECK_BATCH_SIZE = 6
#: Completion tokens allowed per claim in a check batch (quote + verdict + reason), plus a fixed margin.
CHECK_TOKENS_PER_CLAIM = 220
CHECK_TOKENS_MARGIN = 120
#: Source chunks offered to a batch, per claim, when the source does not fit the context window.
CHECK_CHUNKS_PER_CLAIM = 2
#: Maximum atomic claims taken from a decomposed summary.
MAX_DECOMPOSED_CLAIMS = 30
DECOMPOSE_MAX_TOKENS = 2048

# --- grounding ------------------------------------------------------------------------------------
#: Minimum rapidfuzz partial-ratio (0-100) for a fuzzy evidence match.
FUZZY_THRESHOLD = 90.0
#: Quotes shorter than this (characters, normalised) are never matched fuzzily.
FUZZY_MIN_CHARS = 12
#: When a model's words are not found, the most similar sentence stands in only above this similarity.
SENTENCE_MIN_SIMILARITY = 0.6
#: Bounds on the work of one fuzzy search, so one answer never costs more than a fraction of a second:
#: a longer quote is located by its head and tail (this many characters in all); a longer stretch of
#: source is searched only in windows around the quote's rarest words, at most this many of them.
FUZZY_MAX_QUOTE_CHARS = 500
FUZZY_MAX_HAYSTACK_CHARS = 20_000
FUZZY_MAX_WINDOWS = 24
#: Evidence must carry the claim: this many characters (normalised) at least, and content words (or
#: numbers) shared with the claim, two of them (or all of them, when the claim has fewer).
EVIDENCE_MIN_CHARS = 8
EVIDENCE_MIN_SHARED_TERMS = 2

# --- batches ------------------------------------------------------------------------------------------
#: Documents in flight at once in a batch (--jobs).
DEFAULT_JOBS = 4
#: File types taken from a folder (files named explicitly or by a glob are taken whatever their suffix).
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".text")
#: With --max-cost the documents are loaded once to estimate them; up to this many characters of them are
#: kept in memory for the run so they are not loaded (and HTML-extracted) twice.
PRELOAD_BUDGET_CHARS = 64 * 1024 * 1024

# --- the OpenAI Batch API (summarizer batch prepare|submit|status|cancel|collect|run) ------------------
#: What a batch costs against the online price: OpenAI's Batch API bills half (the one place this lives;
#: pricing.estimate_cost(..., batch=True) applies it).
BATCH_PRICE_FACTOR = 0.5
#: A batch input file holds at most this many requests, and at most this many bytes (OpenAI's limits:
#: 50,000 requests and 200 MB per file; the bytes counted in decimal megabytes, to stay under either).
BATCH_MAX_REQUESTS_PER_FILE = 50_000
BATCH_MAX_FILE_BYTES = 200_000_000
#: The one endpoint a summarizer batch uses, and its completion window (the only one the API offers).
BATCH_ENDPOINT = "/v1/chat/completions"
BATCH_COMPLETION_WINDOW = "24h"
#: Seconds between two looks at the batches (``summarizer batch status --wait``).
BATCH_POLL_SECONDS = 30.0

# --- input ----------------------------------------------------------------------------------------
#: Files larger than this are refused before they are read whole.
MAX_INPUT_BYTES = 20 * 1024 * 1024

# --- context windows (tokens) by model-name prefix; the longest matching prefix wins ----------------
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-4o": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    LOCAL_MODEL: LOCAL_CONTEXT,
}

# --- prices in USD per million tokens (input, output), by model-name prefix --------------------------
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-4": (30.00, 60.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    LOCAL_MODEL: (0.0, 0.0),
}

# --- support scores from log-probabilities (pipeline/scoring.py) ---------------------------------------
#: Claims per scoring call when fitting a profile (each profile records its own). One: on 1,320 SummEdits
#: claims held out by domain, the bundled 1.5B model asked one claim sentence a call ranks them better than
#: when a summary's sentences share a numbered list (mean AUC 78.4 against 75.2, balanced accuracy 74.0
#: against 70.7; docs/experiments.md), at the price of one call per open claim sentence (a document's
#: source prefix is cached across them). An earlier figure that favoured lists (79.2) came from calls that
#: listed a labelled set's edited variants of one sentence side by side, which no real check does.
SCORE_CLAIMS_PER_CALL = 1
#: Claims per scoring call in the generic profile (models without a profile of their own, i.e. APIs): a
#: list of up to nine numbered claims keeps a summary's check to two calls and every answer line to three
#: tokens ("9 Yes" and a line break). Unmeasured on an API model; for the bundled model lists cost three
#: points of AUC, so ``summarizer calibrate --claims-per-call 1`` is the way to trade calls for accuracy.
GENERIC_CLAIMS_PER_CALL = 9
#: Prompt tokens one claim line is assumed to take when sizing the source window.
SCORE_CLAIM_TOKENS = 120
#: Chunks of a long source each claim is scored against.
SCORE_CHUNKS_PER_CLAIM = 2
#: Log-odds are clipped to +-this (a probability of about 6e-6).
MAX_ANSWER_LOGIT = 12.0
#: A claim judged unsupported is "contradicted" (rather than "not_in_source") when one source sentence
#: holds at least this share of its content words (idf-weighted): the source speaks to it, differently.
#: Measured on Factcheck-GPT's refuted against irrelevant evidence (2,218 rows, zero tokens,
#: benchmarks/verdict_split.py): balanced accuracy of the split 61.5 at 0.6, 65.5 at 0.4; on two halves of
#: the claims each half's best cut (0.45, 0.35) gives 64.3 and 62.2 on the other, 0.4 gives 63.5 and 67.3.
CONTRADICTION_COVERAGE = 0.4
#: Where a profile lets a decisive local finding settle a claim: right at least this often, this many times.
RULE_MIN_PRECISION = 0.97
RULE_MIN_SEEN = 10
#: L2 penalty of the calibration's logistic regression (on standardised features).
CALIBRATION_L2 = 1.0
#: Fewer labelled documents than this and `calibrate` warns: fitted on ~17 documents' rows, a SummEdits
#: domain scored far worse than with a profile fitted on the other domains (benchmarks/own_domain.py).
CALIBRATION_MIN_DOCUMENTS = 100
#: Temperatures a profile's fit may choose from when asked to temper it on held-out domains
#: (``fit_profile(temperature=True)``, ``summarizer calibrate --temperature``; 1 = the fit as it stands).
CALIBRATION_TEMPERATURES = tuple(round(0.5 + 0.05 * k, 2) for k in range(71))  # 0.5 .. 4.0
#: How a profile's decision threshold is chosen (``fit_profile(threshold=...)``, ``calibrate --threshold``):
#: "best", the cut that maximises the mean balanced accuracy over the fitting domains, or "rate", the share
#: of supported claims fitted on (for calibrated probabilities, where pooled balanced accuracy is best in
#: expectation). Held out by SummEdits domain the rate did from -2.7 to +1.7 mean BAcc against the search,
#: by prompt and set of domains: the search, which aims at the mean over domains, stays the default
#: (docs/calibration.md, step 5).
CALIBRATION_THRESHOLD_RULES = ("best", "rate")
CALIBRATION_THRESHOLD = "best"
#: Features a profile is fitted without unless asked (``fit_profile(exclude=...)``, ``calibrate --lexical``):
#: the lexical measures (the claim's coverage by its best-matching sentences, its share of words the source
#: lacks, its length). Fitted on SummEdits their weights follow how that set was made (a claim bringing
#: more words the source lacks is *more* often consistent there, weight +1.9), which real claims do not
#: follow: held out by domain with the shipped prompt, leaving them out moved SummEdits' mean BAcc 74.7 ->
#: 74.0 and its calibration error 0.105 -> 0.097, and WiCE's BAcc 52.4 -> 60.9 (hybrid) and 53.8 -> 76.9
#: (zero tokens) (docs/experiments.md, "The lexical features").
CALIBRATION_EXCLUDED_FEATURES = ("coverage_best", "coverage_top3", "novel_share", "log_content_words")
#: Evidence of a scored claim: the source sentences sharing the most of its content words (idf-weighted),
#: at most this many, each holding at least this share of them.
EVIDENCE_SENTENCES = 2
EVIDENCE_MIN_COVERAGE = 0.3
