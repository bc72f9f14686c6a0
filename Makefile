# 海宁市食品安全监管平台 — two commands on a fresh machine (README.md):
#   make run    演示：建 .venv、装运行依赖、迁移 SQLite、加载参考数据与演示数据、打印演示账户、在 127.0.0.1:8000 提供服务
#   make test   全部测试（pytest-xdist 并行），无 PostgreSQL / Redis / Chromium / 网络时跳过相应测试并说明原因
#
# `make run` installs requirements.txt only (what production runs); `make test` installs requirements-dev.txt
# (which includes requirements.txt). Both share one .venv; stamps record what is installed.

SHELL := /bin/bash
PY ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
# Demo registry size for `manage.py seed_demo` (0 = skip). The demo password: DEMO_PASSWORD, default in setup_demo.
SEED_ENTERPRISES ?= 3000
# `auto` = one worker per CPU (2 here); --dist worksteal: an idle worker takes queued tests from the busy one.
# PYTEST_ARGS adds selections/options, e.g. PYTEST_ARGS="tests/common -x".
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

RUN_ENV := DJANGO_SETTINGS_MODULE=haining_foodsafety.settings.base DEMO_MODE=1
TEST_SETTINGS := haining_foodsafety.settings.test

.PHONY: run serve setup test lint fmt check install install-dev clean backup restore

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

# Idempotent: a second `make run` migrates nothing, reloads reference data, resets the demo passwords and serves.
setup: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py setup_demo --enterprises $(SEED_ENTERPRISES)

serve: install
	@mkdir -p staticfiles  # WhiteNoise serves from the finders in demo mode; an empty STATIC_ROOT avoids its warning
	@echo "服务地址：http://$(HOST):$(PORT)/  （Ctrl-C 停止）"
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

run: setup serve

# PYTHONDONTWRITEBYTECODE= : pytest keeps its assertion-rewritten test modules as .pyc files; without them (the
# variable set in the environment) every xdist worker parses and rewrites all ~200 test modules again, ~7 CPU s each.
test: install-dev
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --ds=$(TEST_SETTINGS) -n $(PYTEST_WORKERS) --dist worksteal -q -rfEs $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install-dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Backup and restore (docs/operations.md §6): the database (pg_dump -Fc when DATABASE_URL is PostgreSQL, SQLite's
# online backup in embedded mode) and MEDIA_ROOT in one archive under BACKUP_DIR, its SHA-256 beside it.
# `make restore FILE=backups/haining-….tar` refuses a tampered archive, shows what it replaces and asks to confirm
# (CONFIRM=yes to skip the question); then run tools/restore_check.py against the restored database.
BACKUP_DIR ?= backups
DJANGO_ENV := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-haining_foodsafety.settings.base}

backup: install
	$(DJANGO_ENV) $(BIN)/python manage.py db_backup --dir $(BACKUP_DIR)

restore: install
	@test -n "$(FILE)" || { echo "用法：make restore FILE=$(BACKUP_DIR)/haining-….tar [CONFIRM=yes]"; exit 2; }
	$(DJANGO_ENV) $(BIN)/python manage.py db_restore "$(FILE)" $(if $(filter yes,$(CONFIRM)),--yes,)
	$(DJANGO_ENV) $(BIN)/python tools/restore_check.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
