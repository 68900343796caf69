# The two commands: `make run` (set up, migrate, load the demo once, serve) and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint

$(PY):
	python=$$(scripts/find-python) && "$$python" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[test]'
	touch $@

setup: $(STAMP)

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo --if-empty
	@echo "Demo logins (password 'demo'): officer, manager, clerk, admin"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
