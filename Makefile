# Zero-install entry points: only python3 and make are needed; the venv is made here.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: demo test check lint format screenshots bench bench-1m bench-smoke fake clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@ $(APP_STAMP)

## demo: run the app on the embedded fake Twilio (no credentials needed)
demo: $(APP_STAMP)
	$(BIN)/bindings-tui --demo

## test: lint, types, import contract, then the whole test suite
test: check
	scripts/with-secret-service.sh $(BIN)/pytest -q

check: $(DEV_STAMP)
	$(BIN)/ruff check bindings_tui tests scripts benchmarks
	$(BIN)/ruff format --check bindings_tui tests scripts benchmarks
	$(BIN)/mypy bindings_tui
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff format bindings_tui tests scripts benchmarks
	$(BIN)/ruff check --fix bindings_tui tests scripts benchmarks

## screenshots: regenerate screenshots/*.svg from the snapshot-test code path
screenshots: $(DEV_STAMP)
	$(BIN)/python scripts/screenshots.py screenshots

## bench: the performance harness (figures to bench-results.json; installs twilio-python)
bench: $(DEV_STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks.run --out bench-results.json

## bench-1m: opt-in, a million bindings in the TUI, no latency, with the whole-session memory (~10 min)
bench-1m: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.run --million --out bench-1m-results.json

bench-smoke: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.run --smoke --out /tmp/bindings-tui-bench-smoke.json

## fake: a local Twilio-compatible server on 127.0.0.1:4010
fake: $(APP_STAMP)
	$(BIN)/bindings-tui fake-twilio --port 4010

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
