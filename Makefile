# The two commands of the README:
#   make run   — install, migrate a SQLite database, load fixtures and a demo, print logins, serve
#   make test  — install, lint, check the layering and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENTERPRISES ?= 300
DEMO_CADRES ?= 150
# The suite runs on every core, a test file to a worker (pytest-xdist); PYTEST_ARGS=-n0 runs it in one process.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: install run test lint format bench clean messages

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py loaddata places units
	DEBUG=1 $(BIN)/python manage.py seed_demo --enterprises $(DEMO_ENTERPRISES) --cadres $(DEMO_CADRES)
	@echo ""
	@echo "  打开 / Open:  http://$(HOST):$(PORT)/        管理后台 / Admin: http://$(HOST):$(PORT)/admin/"
	@echo "  企业登录 / Enterprise sign-in: http://$(HOST):$(PORT)/qiye/login/  手机号 19000000001（验证码显示在本窗口 / the code is printed in this window）"
	@echo ""
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	SECRET_KEY=$${SECRET_KEY:-insecure-test-only-key} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	SECRET_KEY=$${SECRET_KEY:-insecure-bench-only-key} $(BIN)/python bench/import_enterprises.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache

messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-wrap --ignore=.venv --ignore=bench --ignore=tests
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore=.venv
