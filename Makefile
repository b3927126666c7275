# hfcrawler: `make demo` shows the whole product on the bundled emulator; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt requirements/*.txt | cksum | cut -d' ' -f1)

.PHONY: setup demo test lint bench scrapyd deploy clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt $(wildcard requirements/*.txt)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

demo: setup
	$(BIN)/python -m fakehub.demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One process per core, a test file's tests together (they share its module fixtures).
test: lint
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: setup
	$(BIN)/python -m bench

# A local Scrapyd in its own directory (never the project: it would serve the working tree).
SCRAPYD_HOME ?= $(HOME)/.local/share/hfcrawler/scrapyd
SCRAPYD_PORT ?= 6800

scrapyd: setup
	SCRAPYD_HOME="$(SCRAPYD_HOME)" SCRAPYD_PORT="$(SCRAPYD_PORT)" PYTHON="$(abspath $(BIN))/python" \
		sh deploy/scrapyd-local.sh

deploy: setup
	SCRAPYD_HOME="$(SCRAPYD_HOME)" SCRAPYD_PORT="$(SCRAPYD_PORT)" BIN="$(abspath $(BIN))" \
		sh deploy/deploy.sh

clean:
	rm -rf build *.egg-info demo .pytest_cache .ruff_cache
