# One virtual environment in .venv; torch is pinned first so its CPU wheel is used.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

WEB_BUILT := web/static/app.css

.PHONY: setup run chat test test-fast test-js lint typecheck eval eval-formats bench load sample clean-index browser ocr chroma crash fuzz \
	artifacts \
	fit-selector fit-mapping

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# GOV.UK Frontend from npm, compiled with the council's typeface settings (web/src/app.scss); served by the app.
$(WEB_BUILT): web/package.json web/package-lock.json web/src/app.scss
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# The sample's workbook, CSV and slide deck (not kept in git: the generator makes them).
SAMPLE_BUILT := ingest/sample/workforce-action-tracker.xlsx
$(SAMPLE_BUILT): $(STAMP) ingest/tools/make_sample.py
	$(BIN)/python ingest/tools/make_sample.py --generated
	touch $(SAMPLE_BUILT)

setup: $(STAMP) $(WEB_BUILT) $(SAMPLE_BUILT)

# First README command: set up, ingest the bundled sample if the index is empty, start the service and the page.
run: setup
	$(BIN)/evidence-bot serve --ingest-if-empty ingest/sample

# The terminal chat over the same index.
chat: setup
	$(BIN)/evidence-bot chat

# Debian's Chromium for the browser tests (Playwright cannot download browsers here) and LibreOffice to render a
# briefing to PDF once.
browser:
	@(test -x /usr/bin/chromium && command -v soffice >/dev/null) || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libreoffice-writer-nogui >/dev/null)

# Debian's Tesseract, which reads scanned PDF pages (docs/formats.md). Without it a scanned page is left out with a
# warning; the tests read scans, so `make test` installs it.
ocr:
	@command -v tesseract >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null)

SHARED_CORPUS ?= ../shared/corpus
WIDER_CORPUS ?= ../shared/corpus-wider

# Second README command: every test, slow ones included, then both evaluation sets (CI runs exactly this).
test: setup browser ocr lint typecheck test-js
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory eval

# The evaluation gate (evals/thresholds.toml). The Thurrock and wider sets need ../shared/corpus and
# ../shared/corpus-wider; without them they are skipped with a message: the repository does not ship that evidence.
eval: $(STAMP)
	$(BIN)/evidence-bot eval evals/sample.jsonl --corpus ingest/sample --peer --verifier evals/verifier.jsonl
	$(BIN)/evidence-bot eval evals/tables.jsonl --corpus evals/tables
	$(BIN)/evidence-bot eval evals/blind1.jsonl --corpus evals/blind1
	$(BIN)/evidence-bot eval evals/blind2.jsonl --corpus evals/blind2
	$(BIN)/evidence-bot eval evals/blind3.jsonl --corpus evals/blind3
	$(BIN)/evidence-bot eval evals/blind4.jsonl --corpus evals/blind4
	$(BIN)/evidence-bot eval evals/blind5.jsonl --corpus evals/blind5
	$(BIN)/evidence-bot eval evals/blind6.jsonl --corpus evals/blind6
	$(BIN)/evidence-bot eval evals/blind7.jsonl --corpus evals/blind7
	$(BIN)/evidence-bot eval evals/blind8.jsonl --corpus evals/blind8
	$(BIN)/evidence-bot eval evals/blind9.jsonl --corpus evals/blind9
	$(BIN)/evidence-bot eval evals/blind10.jsonl --corpus evals/blind10
	$(BIN)/evidence-bot eval evals/blind11.jsonl --corpus evals/blind11
	@if [ -d "$(SHARED_CORPUS)" ]; then \
		$(BIN)/evidence-bot eval evals/thurrock.jsonl --corpus "$(SHARED_CORPUS)" --peer && \
		EVIDENCE_BOT_INDEX_DIR=evals/results/tmp/mapping-index $(BIN)/evidence-bot eval-mapping evals/mapping.jsonl \
			--corpus "$(SHARED_CORPUS)" --thresholds evals/thresholds.toml \
			--output evals/results/mapping-latest.json; \
	else echo "SKIPPED the Thurrock evaluation: $(SHARED_CORPUS) is not here"; fi
	@if [ -d "$(WIDER_CORPUS)" ]; then \
		$(BIN)/evidence-bot eval evals/wider.jsonl --corpus "$(WIDER_CORPUS)" --peer && \
		$(BIN)/python evals/fit_mapping.py --check evals/thresholds.toml \
			--train evals/mapping-wider.jsonl:"$(WIDER_CORPUS)" --train evals/mapping-selfassess.jsonl:evals/selfassess; \
	else echo "SKIPPED the wider evaluation: $(WIDER_CORPUS) is not here"; fi
	@if [ -d "$(SHARED_CORPUS)" ]; then $(MAKE) --no-print-directory eval-formats; fi

# Scans and PDF tables on the Thurrock corpus (docs/formats.md): OCR against the text layer, table questions from
# the PDF alone and the Word document alone; fails when a figure misses its floor in evals/thresholds.toml.
eval-formats: $(STAMP) ocr
	$(BIN)/python evals/formats.py --corpus "$(SHARED_CORPUS)" --thresholds evals/thresholds.toml

# Refit the statement mapping (src/evidence_bot/data/mapping-v1.json) on other councils' labelled pages and six
# fictional councils' self-assessments (evals/selfassess), choosing its
# rule on folds of whole councils, and measure it on the Thurrock labels it never saw (docs/frameworks.md). Deterministic.
fit-mapping: $(STAMP)
	$(BIN)/python evals/fit_mapping.py --write --train evals/mapping-wider.jsonl:"$(WIDER_CORPUS)" \
		--train evals/mapping-selfassess.jsonl:evals/selfassess \
		--test evals/mapping.jsonl:"$(SHARED_CORPUS)" --second evals/mapping-second.jsonl

# Refit the answer selector (src/evidence_bot/data/selector-v1.json) on the wider and Thurrock sets, with the held-out
# report, plots, model comparison and ablation under evals/results/selector-<date>.* (docs/selection.md). Deterministic.
fit-selector: $(STAMP)
	$(BIN)/python evals/fit_selector.py --write \
		--set wider=evals/wider.jsonl:"$(WIDER_CORPUS)" --set thurrock=evals/thurrock.jsonl:"$(SHARED_CORPUS)" \
		--set blind1=evals/blind1.jsonl:evals/blind1 --set blind2=evals/blind2.jsonl:evals/blind2 \
		--set blind3=evals/blind3.jsonl:evals/blind3 --set blind4=evals/blind4.jsonl:evals/blind4

# A Chroma server on loopback for several workers or writer processes; then EVIDENCE_BOT_CHROMA_URL=http://127.0.0.1:8000
# (docs/deployment.md). The catalog and lexical index stay in index/.
chroma: $(STAMP)
	$(BIN)/chroma run --path index/chroma-server --host 127.0.0.1 --port 8000

# 20 SIGKILL crash trials of a Thurrock ingest (CI runs 3 on the sample); writes evals/results/crash-<date>.json.
crash: $(STAMP)
	$(BIN)/python evals/crash_trials.py --corpus "$(SHARED_CORPUS)" --trials 20

# The benchmark: prints its figures and saves JSON and a PNG plot under evals/results/. Not part of CI.
bench: $(STAMP)
	$(BIN)/python evals/bench.py --corpus "$(SHARED_CORPUS)"
	$(MAKE) --no-print-directory fuzz

# Hypothesis over mutated real files of each type for 5 minutes; findings go to tests/fuzz_regressions/ (CI replays them).
fuzz: $(STAMP)
	$(BIN)/python evals/fuzz_loaders.py --seconds 300

# The load script: 1 and 20 clients on /api/chat for 30 s each, then 50 token-holding clients mixing chat, search and
# views for 60 s with an upload half way, over the Thurrock index. Not part of CI (tests/test_load.py is its short form).
load: setup
	$(BIN)/python evals/load.py --corpus "$(SHARED_CORPUS)"
	$(BIN)/python evals/load.py --corpus "$(SHARED_CORPUS)" --mixed 50 --seconds 60

# The pages' pure functions (web/static/format.js, sse.js) under Node's own test runner.
test-js:
	cd web && node --test test/

# mypy --strict over the whole package; the scripts beside it (evaluation, fits, benchmarks, the sample's
# generator) checked as written, untyped functions included, so a call the package no longer offers fails here
# and not in a benchmark run (docs/codebase.md).
typecheck: $(STAMP)
	$(BIN)/python -m mypy --strict --ignore-missing-imports --follow-imports=silent src/evidence_bot
	$(BIN)/python -m mypy --check-untyped-defs --ignore-missing-imports --follow-imports=silent evals/*.py ingest/tools/*.py

# ruff: errors, import order, bugbear, pyupgrade ([tool.ruff] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .

# The tests that need only the code: no real model, Thurrock corpus, browser or Chroma server (conftest marks them
# from the fixtures they use); under two minutes here. `make test` still runs everything.
test-fast: setup
	$(BIN)/python -m pytest -m "not (slow or model or corpus or browser or chroma_server)"

# The page's screenshots and the rendered briefing, saved under evals/results/ for the docs (a test run saves
# them in a temporary folder, so it never changes the repository).
artifacts: setup browser
	EVIDENCE_BOT_TEST_ARTIFACTS=evals/results $(BIN)/python -m pytest tests/test_page.py tests/test_briefing.py

# Rebuild the sample's PDF and Word files from ingest/tools/make_sample.py.
sample: $(STAMP)
	$(BIN)/python ingest/tools/make_sample.py

clean-index:
	rm -rf index/catalog.sqlite* index/chroma
