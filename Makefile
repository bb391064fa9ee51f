# spinepath: `make demo` runs it with demo data, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEPS   := pyproject.toml constraints.txt

.PHONY: demo test test-postgres lint bench install serve clean lock

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("spinepath needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python $(DEPS)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/spinepath demo

# The whole suite on SQLite, then again on PostgreSQL when SPINEPATH_TEST_POSTGRES_URL is set.
test: $(STAMP)
	env -u DATABASE_URL $(BIN)/python -m pytest -n 2 --dist loadfile
	@if [ -n "$$SPINEPATH_TEST_POSTGRES_URL" ]; then \
		echo "--- the same suite on PostgreSQL ---"; \
		DATABASE_URL="$$SPINEPATH_TEST_POSTGRES_URL" $(BIN)/python -m pytest -n 2 --dist loadfile; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy --strict src/spinepath/clinical

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks -p no:xdist -p no:randomly --benchmark-only --benchmark-columns=min,median,mean,max,rounds -q

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
