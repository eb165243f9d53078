"""Every number that tunes what the product finds, reads or answers, by pipeline stage, each with how it was chosen.

Three kinds of provenance: "calibrated" (fitted or swept on labelled data, with the set and date), "measured" (a
choice between a few values, compared on an evaluation set) and "heuristic" (a judgement nobody has measured).
A heuristic is a candidate for measurement, not a known optimum. The evaluation report carries `fingerprint()`,
so two reports with different numbers here are never compared as if they were the same system.

Not here: bounds that protect the service (file sizes, request sizes: loaders/limits.py, config.py), the models'
own fitted weights (data/*.json, with their records) and facts about the embedding model (its 256 word-piece
window)."""

import hashlib

# ---- reading documents (ingest/loaders/) -------------------------------------------------------------------------
# A line at most this share of its paragraph's widest line may stand on its own (loaders/text.py). The Thurrock
# reports' wrapped lines run 60-80 characters with the widest near 80; a page's own short lines ("Score: 3") sit
# far below the width of the paragraphs around them.
OWN_LINE_SHARE = 0.7
PDF_MIN_TEXT_CHARS = 20  # a PDF page with less text than this has no text layer worth keeping
# A running header or footer (loaders/pdf.py): a line among the first or last RUNNING_EDGE_LINES of a page whose
# text, the page's number masked, recurs there on at least RUNNING_PAGE_SHARE of the pages and on RUNNING_MIN_PAGES
# at least. Conventional values, not tuned (no evaluation document but one PDF, evals/blind7, has such lines); the
# share is high so that a line a report repeats on many pages but not nearly all ("Score: 2 - Evidence shows some
# shortfalls" under five of nine statements) is kept: a cover page or two may lack the header.
RUNNING_EDGE_LINES = 2
RUNNING_PAGE_SHARE = 0.8
RUNNING_MIN_PAGES = 3
# A document's last paragraph of at least this many words that stops on a lower-case word or a comma
# was cut off and is marked "…" (loaders/assemble.py); shorter, it is a line of its own ("Join the discussion").
MIN_CUT_WORDS = 4  # heuristic
# A cut-off sentence shorter than this never leads an answer ("People told us about the benefit of th…" led
# "What did CQC say about York?"); a longer one may ("Since the assessment, we have strengthened support for unpaid
# carers, expanded respite provision a…"). Chosen by reading the 42 cut-off wider pages' last sentences, not tuned.
MIN_CUT_LEAD_WORDS = 10
PDF_COLUMN_TOLERANCE = 3.0  # points: text starting this close to a column's left edge is in that column
PDF_TABLE_MIN_COLUMNS = 2
PDF_TABLE_MIN_ROWS = 2  # a header and a row
PDF_ROW_GAP_LINES = 2.5  # a gap wider than this many of the page's usual line spacings ends a table
# A table drawn with padding in its cells (Word's default, the Thurrock self-assessment's) sets its rows further
# apart than the lines inside a cell: 17.6-18.3 pt against 14.0 in every one of that document's tables. A line at
# no more than this many line spacings below the one before is then the same row's next line, its pieces
# joining their cells ("3,937 new requests for" / "support in the last" is one cell of one row).
PDF_CELL_LINE_GAP = 1.1
# ... and a row of such a table may follow after a wider gap than prose would (a cell ending in an empty line),
# when it fills two or more of the table's columns, which no line of prose does.
PDF_PADDED_ROW_GAP_LINES = 3.5
# Two columns of prose also line up, line after line: a table of two columns must have short cells (prose lines
# run 60-90 characters; the corpus's two-column tables' cells average under 25).
PDF_MAX_TWO_COLUMN_CELL = 40
SHEET_HEADER_SEARCH_ROWS = 20  # the header row is looked for among a sheet's first filled rows
SHEET_HEADER_FILL = 0.5  # a header row fills at least this share of the sheet's widest row (and two cells)

# ---- chunking (ingest/chunking.py; the model reads 256 word-pieces, [CLS] and [SEP] included) ----------------------
MAX_CONTEXT_TOKENS = 48  # the title and section prefix of a passage's embedded text
TARGET_TOKENS = 200  # a passage's body aims for this many, leaving room for the prefix
MIN_UNIT_CHARS = 12  # a sentence or row shorter than this is no answer on its own (text/units.py)

# ---- retrieval (search/retrieval.py, store/vectors.py) -----------------------------------------------------------
CANDIDATES = 40  # passages per ranker (dense and BM25) before fusion
RRF_K = 60  # reciprocal rank fusion's constant, as Cormack, Clarke and Büttcher (2009) set it; not tuned here
TOP_K = 6  # passages cited with an answer
UNITS_PER_PASSAGE = 3  # sentence candidates fetched per passage candidate
# A passage whose text this share of another's holds is a copy of it (a Word and a PDF rendition): shown once,
# counted once in the gap view (search/duplicates.py).
DUPLICATE_CONTAINMENT = 0.6
# Chroma's default ef_search (100) makes the approximate search depend on the queries asked before it in the
# same process: the same question could cite different passages after a restart. 500 gave the same results in
# any order on the Thurrock index (docs/evaluation.md, "Vector search breadth").
SEARCH_EF = 500
# Identical vectors (the same sentence in a document's text, Word and PDF copies) come back from Chroma in the
# order its graph meets them, which differs between processes; results are put in (distance, id) order, and this
# many more are fetched so that a tie across the last place is settled by id too, not by the graph. Three copies
# of a sentence are the usual tie; not tuned.
TIE_MARGIN = 8

# ---- the question encoder's tuning (store/query_tuning.py, evaluation/query_fit.py) ----------------------------
# all-MiniLM-L6-v2's top QUERY_TUNED_LAYERS layers are refitted on the question side so that a softmax over a
# question's candidates (cosine x QUERY_SCALE) puts its weight on the right ones. Chosen on held-out folds (wider and
# Thurrock fold 1; blind3 and blind4) by how often the meaning cosine alone puts a right candidate first: the
# packaged model 0.336 and 0.286; 1 layer 0.524 on the blind folds; 2 layers 0.402 / 0.571; 3 layers 0.430 / 0.603;
# all 6 0.467 / 0.603 (three times the file) (docs/selection.md, "Questions embedded by a tuned encoder").
QUERY_TUNED_LAYERS = 3
QUERY_EPOCHS = 4  # the held-out top-1 rose through the fourth epoch on both (not tried further)
QUERY_LEARNING_RATE = 5e-5  # AdamW; the bi-encoder trials used 2e-5 over all six layers; not swept
QUERY_BATCH = 32  # questions per step
QUERY_SCALE = 20.0  # cosine to logit, as sentence-transformers' MultipleNegativesRankingLoss scales; not tuned
# The other questions' candidates in a batch are wrong for a question unless this close to one of its right ones (a
# copy of the answer in another rendition). Set by judgement, not tuned: in-batch negatives took held-out cost over
# six sets from 165 to 159 (docs/selection.md, "Other questions' candidates as wrong ones").
QUERY_NEAR_COPY = 0.95

# ---- answering (answer/) -----------------------------------------------------------------------------------------
# The passages candidates come from. Held out, reading 10 instead of 6 gave the wider set a right candidate for
# 0.934 of answerable questions instead of 0.895, and fact accuracy 0.562 instead of 0.535 (docs/selection.md);
# Thurrock did not move.
PASSAGES_READ = 10
# The retrieved passages a question about what the inspector found chooses its ten from: those of the inspector's
# documents and of stories and minutes about an inspection first, in retrieval order (reading_order). At 30 the
# news story holding CQC's safeguarding finding for Thurrock (retrieved 35th, under the self-assessment's many
# safeguarding passages) was not reached; sorting is on metadata only, so reading deeper costs little.
READ_DEPTH = 50
MAX_ANSWER_SENTENCES = 3  # sentences quoted in one answer
# Rows quoted when a question asks for the rows of a table holding a value (answer/row_filter.py); more are
# left out and the answer marked partial. Heuristic: about what can be read out in a meeting.
MAX_LIST_ROWS = 10
# Not here: the learned answerer's abstention threshold, companion share and off-topic floors, fitted with its
# models (data/selector-v1.json, `make fit-selector`, docs/selection.md).

HAND_SET_PASSAGES_READ = 5  # the hand-set answerer, kept for comparison (answer/hand_set.py)
# Swept on the Thurrock set: the least cost, an answer to an unanswerable question counting two.
HAND_SET_THRESHOLD = 0.34

# ---- verifying generated answers (answer/verification.py) ----------------------------------------------------------
# A sentence's support score must reach this: `evidence-bot eval-verifier` measures it on evals/verifier.jsonl
# (the highest precision with recall at least 0.9).
VERIFY_THRESHOLD = 0.7
LEXICAL_WEIGHT = 0.5  # support = this much word overlap, the rest embedding similarity; measured (docs/evaluation.md)

# ---- readiness views (evidence/) -----------------------------------------------------------------------------------
# Claims (evidence/claims.py). Heuristic, not measured: read on the Thurrock self-assessment's claims.
CLAIM_SUPPORT_SIMILARITY = 0.55  # another document's sentence this close, with the same figure, supports a claim
CLAIM_RELATED_SIMILARITY = 0.62  # this close with other figures: it differs; without figures: related
MIN_SENTENCE_CHARS = 40  # shorter sentences are headings or fragments, not claims or findings
# Findings beside claims in the gap view (evidence/frameworks/findings.py).
# A sentence is quoted under a statement within this cosine of its nearest statement (judged on Thurrock's gap
# view: 0.05 quoted an overall verdict under three statements).
FINDING_NEAR = 0.03
FINDING_DIFFERS = 0.5  # a finding this close to a claim is about the same thing (heuristic)
FINDINGS_SHOWN = 3  # findings and claims quoted per statement
GAP_STRONGEST = 3  # passages shown per statement in the gap view
# The gap rule (evidence/frameworks/gaps.py writes its text from these). Heuristic, not measured: judgements of
# what counts as current and well evidenced.
STALE_MONTHS = 12
GREEN_PASSAGES = 3
GREEN_DOCUMENTS = 2
# A councillor's briefing (evidence/briefing.py). Heuristic, not measured: sized to read in a minute.
BRIEFING_PASSAGES = 12  # passages read for a topic
BRIEFING_MAX_FACTS = 8
BRIEFING_PER_PASSAGE = 2  # facts taken from any one passage
BRIEFING_MIN_RELEVANCE = 0.35  # a sentence's cosine to the topic
BRIEFING_MAX_QUESTIONS = 6  # questions a councillor might ask, suggested from the facts


def values() -> dict[str, float]:
    """Every tuned number here, by name."""
    return {name: value for name, value in globals().items()
            if name.isupper() and isinstance(value, int | float) and not isinstance(value, bool)}


def fingerprint() -> str:
    """A short hash of every tuned number: the evaluation report records it."""
    text = "\n".join(f"{name}={value!r}" for name, value in sorted(values().items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
