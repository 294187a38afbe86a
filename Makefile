# Build and test the interface layers. On a fresh machine with python3 and
# make (and PyPI reachable):
#   make build   environment + the example charm, built offline by charm-build, in build/
#   make test    environment + the whole test suite (lint, layers, contract, built charm),
#                in parallel processes (TEST_WORKERS=auto, one per core)
#   make vendor  copy the shared modules of layerlib/ into the layers that use them
#   make docs    regenerate each layer's API reference, interface-*/docs/{provides,requires}.md
#   make index   regenerate each layer's layer-index entry, interfaces/<layer name>.json
#   make bench   hook-cost benchmark of the layers against the framework (not part of test)
#   make mutate  mutation figures of the layers' wire code (not part of test; hours in full)
# Other Pythons: make test PYTHON=python3.8 (each Python gets its own .venv-X.Y).

PYTHON ?= python3
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV ?= .venv-$(PYVER)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD_DIR ?= build
EXAMPLE := examples/observability-demo

.PHONY: vendor build test lint unit-example test-pythons docs index bench fuzz mutate clean

# The venv's packages are installed by uv (from PyPI, pinned below), several times faster
# than pip: it downloads in parallel and keeps what it downloaded for the next venv. Then
# the simulated Juju and its pytest plugin, editable from this checkout (pytest-jujusim/), as
# charm authors install it (docs/testing-your-charm.md): pytest loads it by its entry point.
UV_VERSION := 0.9.17
$(STAMP): requirements.txt pytest-jujusim/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt -e ./pytest-jujusim
	touch $@

venv: $(STAMP)

# The code more than one layer needs is written once in layerlib/ and copied whole into
# each layer that imports it (tools/vendor.py; tests/crosslayer/test_vendor.py fails on a stale copy).
vendor:
	$(PYTHON) tools/vendor.py

# charm-build resolves interface:<name> to ./interface-<name> and layer:basic to the
# offline stand-in; --layer-index points nowhere so nothing is fetched.
build: $(STAMP)
	rm -rf $(BUILD_DIR)/observability-demo
	CHARM_INTERFACES_DIR=$(CURDIR) CHARM_LAYERS_DIR=$(CURDIR)/tests/offline-layers \
	CHARM_HIDE_METRICS=1 CHARM_CACHE_DIR=$(CURDIR)/$(BUILD_DIR)/.cache \
	$(BIN)/charm-build --layer-index file:///nonexistent/ --ignore-lock-file --no-report \
		-o $(BUILD_DIR) $(EXAMPLE)
	@echo "built: $(BUILD_DIR)/observability-demo"

# The API reference of every layer, from its docstrings (tools/refdocs.py, pydoc-markdown).
# tests/crosslayer/test_docs.py fails when a checked-in file differs from what this writes.
docs: $(STAMP)
	$(BIN)/python tools/refdocs.py

# The layer-index entry of every layer, from publishing.yaml and its interface.yaml
# (tools/layer_index.py); tests/crosslayer/test_publishing.py fails on a stale entry.
index: $(STAMP)
	$(BIN)/python tools/layer_index.py

lint: $(STAMP)
	$(BIN)/ruff check .

unit-example: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/example_unit

# The main suite runs in TEST_WORKERS processes (pytest-xdist; auto: one per CPU core).
# TEST_WORKERS=0 runs it in this one process. Tests that share one costly set-up across
# processes carry an xdist_group mark, and --dist loadgroup gives each group to one worker.
TEST_WORKERS ?= auto
test: lint unit-example
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

# Hook-cost benchmark (a measurement, not part of test or CI): builds the example charm and
# its framework-only baseline, writes $(BUILD_DIR)/bench.json and prints the tables.
bench: $(STAMP)
	PYTHONPATH=tests $(BIN)/python -m kit.hookcost --out $(BUILD_DIR)/bench.json

# Long fuzzing run (not part of make test or CI): at least 10,000 generated examples per
# requires side, and 10,000 URLs per URL layer compared with upstream's pydantic (side
# "urls") (Hypothesis profile "fuzz"), then the table: layer, side, examples tried,
# failures, seed. FUZZ_SEED=N repeats a run; FUZZ_EXAMPLES=N changes the count (a quick
# look). The properties (tests/<interface>/test_fuzz*.py of every layer in tests/registry.py)
# run in FUZZ_PROCESSES parallel processes, the layers dealt out in registry order (the same
# examples as one process: the seed fixes each property's examples); logs in build/fuzz/,
# the table in build/fuzz.txt. FUZZ_LAYERS="cos_agent profiling" fuzzes only those layers.
FUZZ_EXAMPLES ?= 10000
ifndef FUZZ_SEED
FUZZ_SEED := $(shell $(PYTHON) -c 'import random; print(random.randrange(2**32))')
endif
FUZZ_PROCESSES ?= 2
FUZZ_LAYERS ?=
fuzz: $(STAMP)
	rm -rf $(BUILD_DIR)/fuzz && mkdir -p $(BUILD_DIR)/fuzz
	@echo "fuzz: seed $(FUZZ_SEED), $(FUZZ_EXAMPLES) examples per requires side; logs in $(BUILD_DIR)/fuzz/"
	@n=0; pids=; \
	groups=$$(PYTHONPATH=tests $(BIN)/python -m kit.fuzz_report --groups $(FUZZ_PROCESSES) $(FUZZ_LAYERS)) || exit 1; \
	for group in $$groups; do n=$$((n + 1)); \
		env -u PYTHONDONTWRITEBYTECODE FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
			FUZZ_COUNTS=$(BUILD_DIR)/fuzz/$$n.json \
		$(BIN)/python -m pytest -q -p no:cacheprovider -p kit.fuzz_report $$(echo $$group | tr , ' ') \
			--hypothesis-profile=fuzz --hypothesis-seed=$(FUZZ_SEED) \
			> $(BUILD_DIR)/fuzz/$$n.log 2>&1 & pids="$$pids $$!"; \
	done; \
	status=0; for pid in $$pids; do wait $$pid || status=1; done; \
	PYTHONPATH=tests $(BIN)/python -m kit.fuzz_report $(FUZZ_SEED) $(BUILD_DIR)/fuzz/*.json | tee $(BUILD_DIR)/fuzz.txt; \
	if [ $$status != 0 ]; then grep -h -A30 "Falsifying example" $(BUILD_DIR)/fuzz/*.log; \
		echo "fuzz: a property failed; see $(BUILD_DIR)/fuzz/*.log"; fi; \
	exit $$status

# Mutation figures (a measurement, not part of test or CI): cosmic-ray (requirements.txt)
# mutates each layer's own modules (the .py files not vendored from layerlib/), and layerlib/ (vendored into
# the layers before each run), in a copy of the tree under $(BUILD_DIR)/mutate/, and runs the
# layer's own fast tests (its contract cases, then tests/<interface>/, each with -x); "named"
# applies the hand-written wire mutants of tools/mutate.py (NAMED) that cosmic-ray's operators
# do not make, and fails if one survives. MUTATE=... picks targets (interfaces, layerlib,
# named); MUTATE_SAMPLE=N runs N mutants per target drawn with MUTATE_SEED (a run that fits a
# shared machine; the full run takes hours). Table: $(BUILD_DIR)/mutate/table.md; survivors
# with diffs: $(BUILD_DIR)/mutate/<target>/survivors.txt; figures in docs/testing.md.
MUTATE ?=
MUTATE_SAMPLE ?= 0
MUTATE_SEED ?= 19
mutate: $(STAMP)
	$(BIN)/python tools/mutate.py --sample $(MUTATE_SAMPLE) --seed $(MUTATE_SEED) $(MUTATE)

# The suite under every other Python of 3.8, 3.9, 3.10, 3.11 and 3.12 that pyenv has.
test-pythons:
	@set -e; ran=0; \
	for v in 3.8 3.9 3.10 3.11 3.12; do \
		py=$$(pyenv prefix $$v 2>/dev/null | head -n1)/bin/python; \
		if [ ! -x "$$py" ]; then echo "== Python $$v: not provided by pyenv"; continue; fi; \
		if [ "$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(PYVER)" ]; then \
			echo "== Python $$v: already tested by make test"; continue; fi; \
		echo "== Python $$v ($$py)"; \
		$(MAKE) --no-print-directory test PYTHON=$$py; ran=$$((ran+1)); \
	done; echo "== other Pythons tested: $$ran"

clean:
	rm -rf $(BUILD_DIR) .venv-* .pytest_cache .ruff_cache
