# Two entry points for a fresh machine (Debian/Ubuntu, Python 3.10+):
#   make app    install the app and launch it (MODEL=tiny or MODEL=world for an offline try)
#   make test   install everything the tests need (Python packages, ffmpeg, WordNet, Chromium) and run them all
# Installs are remembered in stamp files inside .venv: a second `make app` starts at once, and pip runs
# again only when requirements*.txt or pyproject.toml change. System packages are installed only when
# missing, and never upgraded.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
MODEL ?= clip:ViT-B-16/openai
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := ffmpeg wordnet-base chromium
ARGS ?=

.PHONY: install install-test system-deps app test test-fast test-acceptance bench shell alt

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	PYTHONWARNINGS=ignore $(PY) -m pip install -q --no-deps -e .  # quiet: setuptools warns about every editable install
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's packages the tests need; apt runs only for the ones that are missing (nothing is upgraded)
system-deps:
	@ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || $(SUDO) apt-get update -qq  # tests fetch opencv-doc's clips with apt-get download
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade $$missing; \
	fi
	@command -v ffmpeg >/dev/null && test -x /usr/bin/chromium && test -f /usr/share/wordnet/index.noun \
		|| { echo "ffmpeg, chromium or wordnet-base is missing: tests would skip"; exit 1; }

app: install
	$(PY) app.py --model $(MODEL)

test: install-test system-deps
	$(PY) -m pytest

# acceptance runs of open issues, which the code does not pass yet (README: Tests)
test-acceptance: install-test system-deps
	$(PY) -m pytest -m acceptance -s

# the unit tier only (no server, no browser, no training runs): for quick feedback while editing
test-fast: install-test
	$(PY) -m pytest tests/unit -m "not slow" -q

# the project's environment: `make shell` opens a shell with .venv active (alt, python, pytest on PATH);
# `make alt ARGS="classify clip.mp4 --classes 'a, b' --model tiny"` runs one CLI command
shell: install
	@echo "entering a shell with $(VENV) active; type exit to leave"
	@bash --rcfile <(echo '. ~/.bashrc 2>/dev/null; . $(VENV)/bin/activate') -i

alt: install
	$(VENV)/bin/alt $(ARGS)

bench: install
	$(PY) -m pip install -q -r requirements-bench.txt  # transformers, for bench_model.py's X-CLIP row (bench only)
	$(PY) bench/bench_model.py
	$(PY) bench/bench_windows.py
	$(PY) bench/bench_video.py
	$(PY) bench/bench_render.py
