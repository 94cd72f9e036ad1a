# Quick start: `make demo` runs the main job, `make test` runs the tests.
# Each target creates .venv and installs what is missing on its own.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench serve clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/freechoice demo

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/propose_latency.py

serve: $(STAMP)
	$(BIN)/freechoice serve --sample

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
