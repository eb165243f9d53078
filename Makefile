# One virtual environment in .venv; torch is pinned first so its CPU wheel is used.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run chat test test-fast sample clean-index

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

# Second README command: every test, slow ones included (CI runs exactly this).
test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# Rebuild the sample's PDF and Word files from ingest/tools/make_sample.py.
sample: $(STAMP)
	$(BIN)/python ingest/tools/make_sample.py

clean-index:
	rm -rf index/catalog.sqlite* index/chroma
