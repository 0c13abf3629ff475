# citebot — the two commands of the README quickstart are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-all lint bench eval heldout tuning clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build of torch first, or pip pulls the newest build with GBs of CUDA packages
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install  ## build the index over seeds/ and ask the seed question
	$(BIN)/citebot index build
	$(BIN)/citebot ask "who praised him?"

test: install  ## the test suite CI runs (everything but the heavy `slow` benchmarks)
	$(BIN)/ruff check index bot tests
	$(BIN)/pytest -m "not slow" -q

test-all: install  ## also the slow tests over the full SciFact / SQuAD data in ../shared/data
	$(BIN)/pytest -q

eval: install
	$(BIN)/citebot eval

heldout: install  ## fetch the held-out docs sets' sdists from PyPI (sha256 checked), then evaluate each
	$(BIN)/python -m index.evaluation.heldout fetch
	for q in tests/eval/heldout/*/questions.jsonl; do \
	  set=$$(basename $$(dirname $$q)); \
	  $(BIN)/citebot eval --qa $$q --docs .citebot/heldout/$$set/corpus --cache .citebot/heldout/$$set/cache || exit 1; \
	done

tuning: install  ## fetch the extra docs tuning sets' sdists (sha256 checked), then evaluate each
	$(BIN)/python -m index.evaluation.heldout fetch --sets tests/eval/tuning --dest .citebot/tuning
	for q in tests/eval/tuning/*/questions.jsonl; do \
	  set=$$(basename $$(dirname $$q)); \
	  $(BIN)/citebot eval --qa $$q --docs .citebot/tuning/$$set/corpus --cache .citebot/tuning/$$set/cache || exit 1; \
	done

bench: install
	$(BIN)/citebot bench

clean:
	rm -rf $(VENV) .citebot .pytest_cache .ruff_cache
