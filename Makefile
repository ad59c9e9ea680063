# coprod_sim: `make run` (the main job) and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
OUT   ?= results

# Find a Python >= 3.12 by *running* candidates (pyenv shims may exist but fail).
PYTHON ?= $(shell for c in python3.12 python3.13 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    command -v $$c; break; fi; done)

.PHONY: help run test test-all lint format venv calibrate bench clean baseline-config

help:
	@echo "make run        baseline vs policies comparison -> $(OUT)/"
	@echo "make test       lint, then the test suite (fast tests; CI=true adds the slow ones)"
	@echo "make lint       ruff: lint rules and formatting, checked only"
	@echo "make format     ruff: apply the safe lint fixes, then format"
	@echo "make test-all   every test, slow calibration checks included"
	@echo "make calibrate  re-fit the calibrated defaults (experiments/calibrate_baseline.py)"
	@echo "make bench-vs REF=pre-issue-11 NS=\"1e4 1e6\" [PAIRS=5] [E2E=1]  speed ratio vs REF -> benchmarks/versus-REF.md"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "No Python >= 3.12 found: install Python 3.12+, or pass PYTHON=/path/to/python3.12" >&2; exit 1; fi
	@echo "creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	@# uv installs the set in seconds; it ignores pip.conf, so it is told to trust the
	@# system's certificates. Where uv is unavailable or fails, pip does the same job.
	@# Both write the bytecode of every installed module now (uv: --compile-bytecode; pip
	@# does by default), and the package's own is compiled too: where PYTHONDONTWRITEBYTECODE
	@# is set (as on these machines) every command and worker would otherwise compile
	@# Mesa, pandas and matplotlib from source at each start (about a second each time).
	@if $(BIN)/python -m pip install -q uv >/dev/null 2>&1 && \
	    UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip install -q --system-certs --compile-bytecode --python $(BIN)/python -e '.[dev,dashboard]'; then :; \
	else \
	  echo "uv unavailable or failed; installing with pip (slower)"; \
	  $(BIN)/python -m pip install -q -e '.[dev,dashboard]'; \
	fi
	@$(BIN)/python -m compileall -q src >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

# The interactive dashboard on http://127.0.0.1:8765/ (offline: the `dashboard` extra
# brings Solara's web assets). Pass options as DASHBOARD_ARGS="--config misconduct_shock --port 8800".
.PHONY: dashboard
dashboard: $(STAMP)
	$(BIN)/coprod-sim dashboard $(DASHBOARD_ARGS)

run: $(STAMP)
	$(BIN)/coprod-sim compare configs/baseline.toml --policies reactive,community_meetings,door_to_door,hot_spots --replicates 20 --days 730 --out $(OUT) --force

# What ruff checks; its rules live in pyproject.toml ([tool.ruff]).
LINTED := src tests experiments benchmarks

# Both checks run before failing, so one pass shows everything to fix.
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check $(LINTED) || status=1; \
	$(BIN)/ruff format --check $(LINTED) || status=1; \
	exit $$status

format: $(STAMP)
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

test: $(STAMP) lint
	@if [ "$$CI" = "true" ]; then $(BIN)/python -m pytest -n 2 -m "" ; else $(BIN)/python -m pytest -n 2 -m "not slow"; fi

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m ""

calibrate: $(STAMP)
	$(BIN)/python experiments/calibrate_baseline.py

# The speed and memory table (benchmarks/results.md, a few minutes), then issue 14's
# speed-ups against the code before it (tag pre-issue-14), alternating fresh processes
# of both trees: per-day cost at 10^3, 10^6 and 10^7, start-up, `make run`'s comparison
# and a 100-run tenth of the 1,000-run sweep (benchmarks/versus-pre-issue-14.md; about
# 40 minutes on 2 cores). `make bench BENCH_REF=` skips the second part.
# (The second part is a shell test, not make's if-function: the policy list's commas would split its arguments.)
BENCH_REF ?= pre-issue-14
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	if [ -n "$(BENCH_REF)" ]; then $(BIN)/python benchmarks/versus.py $(BENCH_REF) --ns 1e3 1e6 1e7 --pairs 3 --startup --e2e \
	  --e2e-args "compare configs/baseline.toml --policies reactive,community_meetings,door_to_door,hot_spots --replicates 20 --days 730 --quiet" \
	  --e2e-args "sweep $(CURDIR)/benchmarks/sweep_100.toml --quiet"; fi

# Speed of this tree against REF (a tag, branch or commit), alternating fresh processes (benchmarks/versus.py).
NS    ?= 1e4 1e6
PAIRS ?= 5
.PHONY: bench-vs
bench-vs: $(STAMP)
	$(BIN)/python benchmarks/versus.py $(REF) --ns $(NS) --pairs $(PAIRS) $(if $(E2E),--e2e)

baseline-config: $(STAMP)
	$(BIN)/coprod-sim validate --defaults > configs/baseline.toml

clean:
	rm -rf $(VENV) results .pytest_cache
