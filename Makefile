# Gridschool — the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
NODE_MODULES := node_modules/.installed
DEBIAN_PACKAGES := fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 gettext
TEST_DEBIAN_PACKAGES := chromium
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/gridschool
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install system-packages test-system-packages run dev serve worker migrate seed \
        test test-sqlite test-postgres lint format bench check-deploy clean messages

help:
	@echo "make run     install what is missing, migrate, load demo data, serve on :$(PORT) with a worker"
	@echo "make dev     the same with Django's autoreloading development server"
	@echo "make test    install what is missing, lint, run the whole suite"
	@echo "make worker  run one django-q2 worker alone"
	@echo "make bench   run tests/bench and write bench-results.json"

# --- installation ---------------------------------------------------------------

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-system-packages: system-packages
	@missing=""; for p in $(TEST_DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $@

# zh_Hans holds each (Chinese) source string as its own translation: Django then
# finds every string at once, instead of after a dozen catalogues that lack it.
MO_FILES := locale/en/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.mo \
	locale/wagtail/zh_Hans/LC_MESSAGES/django.mo locale/wagtail/zh_Hans/LC_MESSAGES/djangojs.mo
ZH_PO := locale/zh_Hans/LC_MESSAGES/django.po

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(VENV)/.installed
	$(PY) manage.py compilemessages -l $* --ignore ".venv/*" >/dev/null

# locale/wagtail is kept by hand (Chinese for strings Wagtail's own zh_Hans lacks):
# `make messages` leaves its .po alone and compiles it with the others.
locale/wagtail/zh_Hans/LC_MESSAGES/%.mo: locale/wagtail/zh_Hans/LC_MESSAGES/%.po
	msgfmt --check -o $@ $<

install: system-packages $(VENV)/.installed $(MO_FILES) $(NODE_MODULES)

# --- running ---------------------------------------------------------------------

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# make run serves as production does (gunicorn, DEBUG off, school.settings.run);
# make dev with runserver, which reloads on every save. Each step (migrate, seed)
# runs with the settings of the server that follows, and PORT, from which the
# settings derive SITE_URL.
run: export DJANGO_SETTINGS_MODULE := school.settings.run
run dev: export PORT := $(PORT)
run: seed
	@echo "Serving http://127.0.0.1:$(PORT)/ with gunicorn and a django-q2 worker (Ctrl-C stops both)"
	@bin/serve

dev: export DJANGO_SETTINGS_MODULE := school.settings.dev
dev: seed
	@echo "Serving http://127.0.0.1:$(PORT)/ with runserver and a django-q2 worker (Ctrl-C stops both)"
	@bin/serve --dev

serve: run

worker: install
	$(PY) manage.py qcluster

# --- quality -----------------------------------------------------------------------

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed
	rm -f $(ZH_PO)
	$(PY) manage.py makemessages -l en -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "node_modules/*"
	msgen --output-file=$(ZH_PO) $(ZH_PO)
	msgattrib --clear-fuzzy --output-file=$(ZH_PO) $(ZH_PO)
	$(PY) manage.py compilemessages -l en -l zh_Hans --ignore ".venv/*" --ignore "node_modules/*"

# npm packages (package.json): jsQR, the check-in scan page's camera QR reader,
# served from node_modules/jsqr/dist as a static file (STATICFILES_DIRS), so every
# install needs it; axe-core (devDependencies) checks the browser tests' pages for
# accessibility, and tests/e2e/axe.py injects it from node_modules.
$(NODE_MODULES): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian packages: npm"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund
	touch $@

# The suite runs in TEST_WORKERS processes (pytest-xdist; "auto": one per core),
# each on its own test database.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -q -n $(TEST_WORKERS)

test-sqlite: install test-system-packages $(NODE_MODULES)
	$(PYTEST)

test-postgres: install test-system-packages $(NODE_MODULES)
	DATABASE_URL=$(PG_TEST_URL) $(PYTEST)

check-deploy: install
	DJANGO_SETTINGS_MODULE=school.settings.production \
	SECRET_KEY=ci-only-$$(printf 'x%.0s' {1..60}) \
	ALLOWED_HOSTS=gridschool.example.org \
	CSRF_TRUSTED_ORIGINS=https://gridschool.example.org \
	SITE_URL=https://gridschool.example.org \
	GRIDSCHOOL_ENCRYPTION_KEYS=ci-only-$$(printf 'y%.0s' {1..40}) \
	$(PY) manage.py check --deploy --fail-level WARNING

# On CI (CI=true) the suite runs on SQLite and again on PostgreSQL, and the
# production settings must pass `check --deploy`.
test: install test-system-packages $(NODE_MODULES) lint
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PYTEST)
ifeq ($(CI),true)
	DATABASE_URL=$(PG_TEST_URL) $(PYTEST)
	$(MAKE) --no-print-directory check-deploy
endif

bench: install test-system-packages
	$(PY) -m pytest tests/bench -q -s -p no:randomly

clean:
	rm -rf var media static_root bench-results.json
