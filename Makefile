# One virtual environment in .venv; torch is pinned first so its CPU wheel is used.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run chat test test-fast eval bench sample clean-index

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# First README command: set up, ingest the bundled sample, open the terminal chat.
run: $(STAMP)
	$(BIN)/evidence-bot ingest ingest/sample
	$(BIN)/evidence-bot chat

SHARED_CORPUS ?= ../shared/corpus

# Second README command: every test, slow ones included, then both evaluation sets (CI runs exactly this).
test: $(STAMP)
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory eval

# The evaluation gate (evals/thresholds.toml). The Thurrock set needs ../shared/corpus; without it, it is skipped
# with a message, because the repository may not ship that evidence.
eval: $(STAMP)
	$(BIN)/evidence-bot eval evals/sample.jsonl --corpus ingest/sample --peer
	@if [ -d "$(SHARED_CORPUS)" ]; then \
		$(BIN)/evidence-bot eval evals/thurrock.jsonl --corpus "$(SHARED_CORPUS)" --peer; \
	else echo "SKIPPED the Thurrock evaluation: $(SHARED_CORPUS) is not here"; fi

# The benchmark: prints its figures and saves JSON and a PNG plot under evals/results/. Not part of CI.
bench: $(STAMP)
	$(BIN)/python evals/bench.py --corpus "$(SHARED_CORPUS)"

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# Rebuild the sample's PDF and Word files from ingest/tools/make_sample.py.
sample: $(STAMP)
	$(BIN)/python ingest/tools/make_sample.py

clean-index:
	rm -rf index/catalog.sqlite* index/chroma
