# The two set-up commands are `make run` and `make test`; everything else is a step of theirs.
# The interpreter of the virtualenv: Debian's own Python 3.11 where it is there with
# venv (built with profile-guided and link-time optimisation: simulations run about
# 10 % faster than on a Python built from source without them, measured), else the
# first python3 on the PATH. `make PYTHON=python3.12 ...` chooses another.
SYSTEM_PYTHON := /usr/bin/python3.11
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 \
	&& echo $(SYSTEM_PYTHON) || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?= -n 2 --dist loadgroup
# The browser tests drive Debian's Chromium: Playwright's own browser builds cannot be
# downloaded on our machines.
CHROMIUM := /usr/bin/chromium

.PHONY: run test install install-test translations lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# The English catalogs, compiled from webapp/translations/*/LC_MESSAGES/messages.po.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard webapp/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed node_modules/.package-lock.json $(MO_FILES)

install-test: $(VENV)/.installed-test node_modules/.package-lock.json $(CHROMIUM) $(MO_FILES)

# Installed as root (CI, our machines); anyone else is told what to do, and the
# browser tests then fail with the same message.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-liberation; \
	else \
		echo "The browser tests need Chromium at $(CHROMIUM): install Debian's" \
			"chromium package (sudo apt-get install chromium), or the tests in" \
			"tests/browser/ will fail." >&2; \
	fi

run: install
	$(BIN)/flask --app webapp init-db
	SESSION_COOKIE_SECURE=false $(BIN)/flask --app webapp run --host 127.0.0.1 --port $(PORT)

# After changing a message in the code or the templates: extract them all, merge them
# into each language's catalog, then write the new translations in its messages.po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -o webapp/translations/messages.pot \
		--no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations \
		--no-wrap

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-test lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# In process, then over HTTP against `openfisca serve` (BENCH_DURATION: seconds of the
# concurrent load, 60 by default).
BENCH_DURATION ?= 60
bench: install-test
	$(BIN)/python benchmarks/bench_simulation.py
	$(BIN)/python -m benchmarks.bench_http --duration $(BENCH_DURATION)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
