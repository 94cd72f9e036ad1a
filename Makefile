# Quick start: `make demo` runs the main job, `make test` runs the tests.
# Each target creates .venv and installs what is missing on its own.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WHEELS := .wheels
# The venv belongs to the interpreter that made it: its stamp names that Python's
# version, so `make PYTHON=python3.13` (or a system python3 upgrade) rebuilds the venv
# instead of reusing one made with another Python.
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%s-%d.%d.%d" % (sys.implementation.name, *sys.version_info[:3]))' 2>/dev/null)
STAMP  := $(VENV)/.installed-$(PYVER)
# The short Python 3.13 job in `make test` (in .venv-3.13); its Python is found on PATH
# or in pyenv, skipped with a note when there is none. Set PY313= to skip it.
PY313  ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13; do \
            $$p -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: demo test lint test-engine test-py313 bench serve clean

$(STAMP): pyproject.toml patches/durable-rules-2.0.28.patch tools/build_durable_rules.py
	@test -n "$(PYVER)" || { echo "make: $(PYTHON) does not run; set PYTHON=" >&2; exit 1; }
	@if [ -e $(VENV) ] && [ "$$($(BIN)/python -c 'import sys; print("%s-%d.%d.%d" % (sys.implementation.name, *sys.version_info[:3]))' 2>/dev/null)" != "$(PYVER)" ]; then \
	    echo "$(VENV) was made with another Python than $(PYTHON) ($(PYVER)): rebuilding it"; rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python tools/build_durable_rules.py --dest $(WHEELS)
	@# setuptools notes every editable install of mapped package folders ("Editable
	@# installation ... folders with the same name"): information, not a fault
	PYTHONWARNINGS="ignore:Editable installation" \
	    $(BIN)/python -m pip install --quiet --find-links $(WHEELS) -e ".[test]"
	@rm -f $(VENV)/.installed*
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/freechoice demo

test: $(STAMP) lint
	$(BIN)/pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-py313

# House habits, checked before the tests: formatting, lint, and mypy --strict on the
# engine, the catalog and the client (tools/typecheck.py maps the installed package names).
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python tools/typecheck.py

# The engine's tests and rule cases alone (TESTS= chooses others).
TESTS ?= tests/engine rules/cases
test-engine: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(TESTS)

# The Python 3.13 job: the engine's tests, the rule cases and one HTTP journey.
test-py313:
	@if [ -z "$(PY313)" ]; then echo "test-py313: no Python 3.13 found (PY313=/path/to/python3.13): skipped"; \
	else $(MAKE) --no-print-directory PYTHON=$(PY313) VENV=.venv-3.13 \
	    TESTS="tests/engine rules/cases tests/api/test_flow.py" test-engine; fi

bench: $(STAMP)
	$(BIN)/python bench/propose_latency.py

# prints the address to open (the workspace at /web/); plain-text logs for a person at a terminal
serve: $(STAMP)
	FREECHOICE_LOG_FORMAT=$${FREECHOICE_LOG_FORMAT:-text} $(BIN)/freechoice serve --sample

clean:
	rm -rf $(VENV) .venv-3.13 $(WHEELS) build *.egg-info .pytest_cache .hypothesis
