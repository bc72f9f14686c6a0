PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= haining_foodsafety.settings.base

.PHONY: run test venv install lint check clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	DEMO_MODE=1 $(BIN)/python manage.py migrate --noinput
	DEMO_MODE=1 $(BIN)/python manage.py load_reference
	DEMO_MODE=1 $(BIN)/python manage.py demo_accounts --password "$${DEMO_PASSWORD:-Haining#2026}"
	DEMO_MODE=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} -q -rs

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
