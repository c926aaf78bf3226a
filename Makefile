# Portal TPPS. `make run` serves the demo; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
export PYTHONDONTWRITEBYTECODE := 1

# Test runs use production-like settings (DEBUG off) over plain HTTP.
TEST_ENV := SECRET_KEY=test-secret-not-for-production DEBUG=False SECURE_SSL_REDIRECT=False \
	SESSION_COOKIE_SECURE=False CSRF_COOKIE_SECURE=False WHITENOISE_USE_FINDERS=True \
	VAR_DIR=$(CURDIR)/var/test AUDITS_FERNET_KEYS=dGVzdC1hdWRpdHMtZmVybmV0LWtleS1ub3QtcHJvZCE= \
	AUDITS_NIK_HMAC_KEY=test-nik-hmac-not-for-production

.PHONY: help install install-dev run worker test bench lint messages screenshots clean

help:
	@echo "make run    - set up and serve the demo portal at http://127.0.0.1:$(PORT)/"
	@echo "make test   - run the whole test suite"
	@echo "make bench  - national-scale data and measurements (BENCH_ARGS=\"all --scale 0.1\")"
	@echo "make lint   - ruff"

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Links in messages and QR codes point at the port served (an explicit SITE_URL wins).
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	@mkdir -p var
	DEBUG=True $(PY) manage.py migrate --noinput -v0
	DEBUG=True $(PY) manage.py seed_demo
	@DEBUG=True scripts/serve-dev $(PORT)

test: install-dev
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# BENCH_ARGS: e.g. "generate --scale 0.1", "measure --scale 0.01 --only pages" (see bench/__main__.py).
BENCH_ARGS ?= all --scale 0.01
bench: install-dev
	$(TEST_ENV) $(PY) -m bench $(BENCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: install-dev
	DEBUG=True $(PY) manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=var --ignore=static --ignore=test-artifacts
	DEBUG=True $(PY) manage.py compilemessages --ignore=.venv

# The README screenshots: demo data in a throw-away SQLite database, chromium at /usr/bin/chromium.
screenshots: install-dev
	$(PY) scripts/screenshots.py

clean:
	rm -rf var/test .pytest_cache
