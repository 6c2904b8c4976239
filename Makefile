# Two entry points for a fresh machine (Debian/Ubuntu, Python 3.10+):
#   make app    install the app and launch it (MODEL=tiny for an offline try)
#   make test   install everything the tests need (Python packages, ffmpeg, WordNet, Chromium) and run them all
PYTHON ?= python3
VENV ?= .venv
MODEL ?= clip:ViT-B-16/openai
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test system-deps app test test-fast bench

$(PY):
	$(PYTHON) -m venv $(VENV)

install: $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .

install-test: install
	$(PY) -m pip install -q -r requirements-test.txt

system-deps:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg wordnet-base chromium

app: install
	$(PY) app.py --model $(MODEL)

test: install-test system-deps
	@command -v ffmpeg >/dev/null && test -x /usr/bin/chromium && test -f /usr/share/wordnet/index.noun \
		|| { echo "ffmpeg, chromium or wordnet-base is missing: tests would skip"; exit 1; }
	$(PY) -m pytest

# the unit tier only (no server, no browser, no training runs): for quick feedback while editing
test-fast: install-test
	$(PY) -m pytest tests/unit -m "not slow" -q

bench: install
	$(PY) bench/bench_model.py
	$(PY) bench/bench_video.py
	$(PY) bench/bench_render.py
