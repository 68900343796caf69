# The two commands: `make run` (set up, migrate, load the demo once, serve) and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
ASSETS := static-build/.built

# What is installed into .venv, from pyproject.toml's lists (scripts/requirements): `make run` and
# `make serve` the packages the site runs on; `make test` adds the [test] extra (pytest,
# Playwright...); `make lint` and `make audit` the [dev] extra (ruff, bandit, pip-audit). Each list
# is kept in .venv once pip has installed it, so each is installed once, and again when
# pyproject.toml changes. The venv's own pip is used as it comes (no upgrade first).
RUN_DEPS := $(VENV)/requirements-run.txt
TEST_DEPS := $(VENV)/requirements-test.txt
DEV_DEPS := $(VENV)/requirements-dev.txt
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test setup lint audit assets browser-deps appendix-pictures

# One thing at a time, even under `make -j` (never two pips in one venv); `setup` alone builds the
# stylesheets beside pip, in its recipe.
.NOTPARALLEL:

$(PY):
	python=$$(scripts/find-python) && "$$python" -m venv $(VENV)

$(RUN_DEPS): pyproject.toml | $(PY)
	$(PY) scripts/requirements >$@.new && $(PIP_INSTALL) -r $@.new && mv $@.new $@

$(TEST_DEPS): pyproject.toml $(RUN_DEPS)
	$(PY) scripts/requirements test >$@.new && $(PIP_INSTALL) -r $@.new && mv $@.new $@

$(DEV_DEPS): pyproject.toml $(RUN_DEPS)
	$(PY) scripts/requirements dev >$@.new && $(PIP_INSTALL) -r $@.new && mv $@.new $@

# GOV.UK Frontend comes from npm at setup time and is compiled with our own settings (no crown,
# no restricted typeface) into static-build/, which is never committed.
$(ASSETS): package.json package-lock.json $(wildcard static/scss/*.scss)
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static-build/css static-build/js
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
	  --load-path=node_modules static/scss/app.scss static-build/css/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static-build/js/
	touch $@

assets: $(ASSETS)

# The packages and the stylesheets do not depend on each other: npm and sass build the stylesheets
# while pip installs the packages.
setup:
	@$(MAKE) --no-print-directory $(ASSETS) & assets=$$!; \
	$(MAKE) --no-print-directory $(RUN_DEPS); installed=$$?; \
	wait $$assets && exit $$installed

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; then \
	  echo "Installing chromium, chromium-driver and poppler-utils"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver poppler-utils >/dev/null; \
	fi

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo --if-empty
	@# The task worker (appendices rendered ahead of the clerk) runs beside the server and stops with it.
	DEBUG=1 $(PY) manage.py run_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup $(TEST_DEPS) browser-deps
	$(VENV)/bin/pytest

lint: $(DEV_DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Known vulnerabilities in the dependencies (pip-audit) and risky code (bandit): scripts/audit.
# Every pinned package is installed first, the test tools' included, so all of them are audited.
audit: $(TEST_DEPS) $(DEV_DEPS)
	scripts/audit

# PNGs of the first pages of each preset appendix on its seed plan, for a person to look at.
# Uses a throwaway SQLite database; writes outside the repository.
PICTURES ?= /tmp/appendix-pictures
PICTURES_DB := sqlite:///$(PICTURES)/demo.sqlite3
appendix-pictures: setup browser-deps
	mkdir -p $(PICTURES) && rm -f $(PICTURES)/*.png $(PICTURES)/demo.sqlite3
	DEBUG=1 DATABASE_URL=$(PICTURES_DB) $(PY) manage.py migrate --noinput -v0
	DEBUG=1 DATABASE_URL=$(PICTURES_DB) $(PY) manage.py load_demo
	for name in "Merton Appendix A:ACCESS AND ASSESSMENT" "Merton Appendix B:Youth Justice Core Case" \
	    "Rotherham action delivery plan:Improvement Panel"; do \
	  layout=$${name%%:*}; plan=$${name#*:}; file=$$(echo "$$layout" | tr ' ' '-'); \
	  DEBUG=1 DATABASE_URL=$(PICTURES_DB) $(PY) manage.py render_appendix "$$plan" \
	    --layout "$$layout" --as-at 2012-12-01 -o $(PICTURES)/$$file.pdf && \
	  pdftoppm -png -r 80 -f 1 -l 3 $(PICTURES)/$$file.pdf $(PICTURES)/$$file; \
	done
	@ls $(PICTURES)/*.png

# --- Production setup on one machine (docs/deploy.md) ---
# `make serve`: nginx on https://127.0.0.1:8443 in front of two gunicorn app servers on one
# PostgreSQL database (DATABASE_URL, default the local database `actionplans`), with the task worker.
# `make serve DEMO=1` loads the demo plans into an empty database first. Runtime files: var/serve/.
.PHONY: serve serve-deps
serve-deps:
	@if ! command -v nginx >/dev/null; then \
	  echo "Installing nginx (Debian's package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	fi

serve: setup serve-deps
	DEMO=$(DEMO) exec scripts/serve
