# One command for the main job, one for the tests; both install what they need into .venv.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
OUT ?= out
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: install test test-fast run bench lint clean

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

## the main job on the embedded default: generate a detector-level sample, print its cross sections
run: install
	$(BIN)/mlstxs generate --operators cHW --events 2000000 --seed 1 --level detector \
		--out $(OUT)/sample_cHW $(if $(OVERWRITE),--overwrite,)
	$(BIN)/mlstxs info $(OUT)/sample_cHW --point cHW=1

bench: install
	$(BIN)/python benchmarks/bench_generate.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) $(OUT)
