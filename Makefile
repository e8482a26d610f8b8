# edge_trainer: `make demo` and `make test` set up everything they need on a fresh
# Debian / Raspberry Pi OS machine. Every step is idempotent and quick when done already.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
ET     := $(VENV)/bin/edge-trainer
OUT    ?= demo-output

# System packages: what the demo needs, and what the tests need on top.
APT_DEMO := espeak-ng libespeak-ng1
APT_TEST := $(APT_DEMO) openssh-server openssh-client rsync shellcheck ansible-core sox systemd

.PHONY: demo test lint format bench eval train models arm64-wheels pi-check sysdeps-demo \
	sysdeps-test venv clean help

help:
	@echo "make demo   - set up and run the emulated box on the built-in clip ($(OUT)/)"
	@echo "make test   - set up and run lint, type checks and the test suite"
	@echo "make bench  - speed and memory benchmarks"
	@echo "make eval   - accuracy on the shared real-data sets"
	@echo "make train  - retrain the exercise classifier into models/"
	@echo "make lint   - ruff, mypy, shellcheck"
	@echo "make arm64-wheels - every runtime dependency has a Raspberry Pi OS arm64 wheel (~1 min)"
	@echo "make pi-check - install and run on an emulated Debian arm64 root (root; slow: see hardware/README.md)"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"' \
	  || { echo "edge-trainer needs Python 3.11 or newer as '$(PYTHON)'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

venv: $(PY)

# Stamps re-run pip only when pyproject.toml changes.
$(VENV)/.stamp-demo: pyproject.toml Makefile | $(PY)
	@echo "Installing (the first build of llama-cpp-python, for the summary model, takes ~10 minutes)"
	$(PIP) install -e ".[emulator,llm]"
	@touch $@

$(VENV)/.stamp-test: pyproject.toml | $(PY)
	@echo "Installing test dependencies (the first build of llama-cpp-python takes ~10 minutes)"
	$(PIP) install -e ".[emulator,dev,llm,plot]"
	@touch $@

sysdeps-demo:
	@deploy/ensure-apt.sh $(APT_DEMO)

sysdeps-test:
	@deploy/ensure-apt.sh $(APT_TEST)

models: $(VENV)/.stamp-demo
	$(ET) models provision

demo: sysdeps-demo $(VENV)/.stamp-demo models
	$(ET) demo --output $(OUT)

lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check edge_trainer tests bench deploy/*.py
	$(VENV)/bin/ruff format --check edge_trainer tests bench deploy/*.py
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy deploy/*.py
	@if command -v shellcheck >/dev/null; then shellcheck deploy/*.sh deploy/push-model .ci/run; \
	  else echo "shellcheck not installed: skipped (make sysdeps-test installs it)"; fi

format: $(VENV)/.stamp-test
	$(VENV)/bin/ruff format edge_trainer tests bench deploy/*.py
	$(VENV)/bin/ruff check --fix edge_trainer tests bench deploy/*.py

test: sysdeps-test $(VENV)/.stamp-test models lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: sysdeps-test $(VENV)/.stamp-test models
	$(PY) -m bench $(BENCH_ARGS)

eval: $(VENV)/.stamp-test models
	$(PY) -m edge_trainer.training.evaluate $(EVAL_ARGS)

train: $(VENV)/.stamp-test models
	$(PIP) install -e ".[train]"
	$(PY) -m edge_trainer.training.train $(TRAIN_ARGS)

# pip download of the aarch64 wheels for Bookworm (3.11) and Trixie (3.13); cached.
arm64-wheels: $(VENV)/.stamp-test
	$(PY) deploy/check-arm64-wheels.py

# Slow (emulated arm64): not part of `make test`. Needs root; the root is cached.
pi-check: $(VENV)/.stamp-demo models
	VENV=$(abspath $(VENV)) deploy/pi-check.sh $(PI_CHECK_ARGS)

clean:
	rm -rf $(VENV) $(OUT) var .pytest_cache .mypy_cache .ruff_cache
