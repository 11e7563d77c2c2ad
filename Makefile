# motcua — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)

.PHONY: install run test test-fast test-faults system-deps services bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The NLU model and the validated content are built here, not on the server's first start (`motcua nlu build`:
# trains only when the catalog, the training data or the NLU code changed since the last build).
install: $(STAMP)
	$(PY) -m bot nlu build

# Debian packages the tests need: headless Chromium (Playwright drives it), poppler for PDF checks, nginx to check
# the shipped site in deploy/nginx with `nginx -t` (tests/deploy).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1 || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Start PostgreSQL and Redis if this machine has them but they are down (tests use both for real).
services:
	@if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then \
	  $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; fi
	@if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true; fi

run: install
	$(PY) -m bot db upgrade
	$(PY) -m bot run --no-migrate

# Static checks, fast and first: style and bugs (ruff), types (mypy), the import arrows (import-linter).
lint: install
	$(PY) -m ruff check bot nlu tests
	$(PY) -m mypy bot nlu
	$(VENV)/bin/lint-imports --no-cache

test: lint system-deps services
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: install
	$(PY) -m pytest -q -p no:cacheprovider -m "not browser and not faults"

test-faults: install services
	$(PY) -m pytest -q -p no:cacheprovider -m faults

bench: install
	$(PY) bench/load.py --mix openers --citizens 50 --seconds 15
	$(PY) bench/load.py --mix full --citizens 50 --seconds 15

clean:
	rm -rf $(VENV) var .pytest_cache
