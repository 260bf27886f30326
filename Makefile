# Alur: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the checks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint migrate seed clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Install, migrate the SQLite database in instance/, load the demo data, then serve on :5000
## beside the outbox worker and the demo receiver on :5001 (Ctrl-C stops all three).
# The demo's receiver listens on 127.0.0.1, an address subscriptions may not reach otherwise.
run: export ALUR_WEBHOOK_ALLOW_PRIVATE = true
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run-demo --port 5000 --receiver-port 5001

## Lint, then the test suite on SQLite and, when TEST_POSTGRES_URL is set, on PostgreSQL.
test: $(VENV)/.installed lint
	$(BIN)/pytest
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== PostgreSQL leg: $$TEST_POSTGRES_URL"; \
		TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/pytest; \
	elif [ -n "$$CI" ]; then \
		echo "CI needs the PostgreSQL leg: set TEST_POSTGRES_URL" >&2; exit 1; \
	else \
		echo "== PostgreSQL leg not run: set TEST_POSTGRES_URL=postgresql://USER@HOST:5432/DB to run it"; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

seed: $(VENV)/.installed
	$(FLASK) seed-demo

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
