# The README's two commands: `make report` and `make test`. Both set up .venv from pinned packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test check lint format bench lock clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/report build

check: $(STAMP)
	$(BIN)/report check

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Re-pin every package after changing the ranges in pyproject.toml.
lock:
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet -e '.[test]'
	/tmp/lock-venv/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf _book .litbuild figures/*.svg figures/*.png figures/*.json
