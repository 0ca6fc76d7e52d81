# gonghui: the two commands (run, test) bootstrap everything from Python 3.11 alone.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the lock or the project metadata changes.
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/gonghui migrate --noinput
	$(BIN)/gonghui collectstatic --noinput --verbosity 0
	$(BIN)/gonghui demo --scale small --once
	@echo "任务进程 (db_worker) 与 Web 服务启动于 http://$(HOST):$(PORT)/ ，按 Ctrl+C 停止。"
	$(BIN)/gonghui db_worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate requirements.lock from pyproject.toml (needs network to PyPI).
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --no-header -o requirements.lock

bench: $(STAMP)
	$(BIN)/python bench/orgs.py

clean:
	rm -rf $(VENV) var/static
