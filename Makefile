# One command for the main job, one for the tests; both install what they need into .venv.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
OUT ?= out
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: install test test-fast run run-quick bench lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

## the test suite, slow physics checks included (what CI runs)
test: install
	$(BIN)/pytest

## the fast tests only
test-fast: install
	$(BIN)/pytest -m "not slow"

## the main job on the embedded default: generate -> design -> report (resumes if interrupted)
run: install
	MPLBACKEND=Agg $(BIN)/mlstxs reproduce --out $(OUT)/reproduce $(if $(OVERWRITE),--overwrite,)

## the same, small and fast
run-quick: install
	MPLBACKEND=Agg $(BIN)/mlstxs reproduce --quick --out $(OUT)/reproduce-quick $(if $(OVERWRITE),--overwrite,)

bench: install
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_scan.py
	$(BIN)/python benchmarks/bench_dnn.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(OUT)
