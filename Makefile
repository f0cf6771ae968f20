# nhacviec — every target creates/uses .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck bench lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the bot on the embedded defaults: SQLite under ./data, the bundled example plan,
## the console channel when no chat token is set.
run: $(STAMP)
	$(BIN)/nhacviec db upgrade
	$(BIN)/nhacviec demo
	$(BIN)/nhacviec run

## The whole suite (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set), plus lint and types.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

## Benchmarks: prints a table of medians (SQLite, and PostgreSQL when BENCH_DATABASE_URL is set).
bench: $(STAMP)
	$(BIN)/python -m bench

## Refresh constraints.txt from a clean resolve of pyproject.toml's ranges.
lock:
	rm -rf /tmp/nhacviec-lock && $(PYTHON) -m venv /tmp/nhacviec-lock
	/tmp/nhacviec-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/nhacviec-lock/bin/pip freeze --exclude-editable | grep -v '^nhacviec' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
