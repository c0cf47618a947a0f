# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test install system-deps js-deps lint translations certificate-preview clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

## run: install, migrate, load the demo accounts and serve on http://127.0.0.1:5000
run: install
	$(FLASK) coursekit check-content
	$(FLASK) coursekit db upgrade
	$(FLASK) coursekit demo-data
	@echo
	@echo "CourseKit is starting on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## serve: the production stack (gunicorn; PostgreSQL and Redis when COURSEKIT_DATABASE_URL and
## COURSEKIT_REDIS_URL are set, SQLite otherwise) on COURSEKIT_BIND (127.0.0.1:8000)
serve: install
	@mkdir -p -m 700 instance && chmod 700 instance
	@test -s instance/secret-key || (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret-key)
	@chmod 600 instance/secret-key
	@test -s instance/key-encryption-key || (umask 077 && $(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > instance/key-encryption-key)
	$(FLASK) coursekit check-content
	$(FLASK) coursekit db upgrade
	COURSEKIT_PRODUCTION=true COURSEKIT_LOG_FORMAT=json COURSEKIT_ACCESS_LOG=true \
	COURSEKIT_SECRET_KEY="$${COURSEKIT_SECRET_KEY:-$$(cat instance/secret-key)}" \
	COURSEKIT_KEY_ENCRYPTION_KEYS="$${COURSEKIT_KEY_ENCRYPTION_KEYS:-$$(cat instance/key-encryption-key)}" \
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

## system-deps: what the browser tests need from Debian (Chromium, poppler), if missing
system-deps:
	@scripts/system-deps.sh

## js-deps: the JavaScript the tests run (a SCORM runtime as the LMS, an xAPI LRS), from the lock file
js-deps: tests/js/node_modules/.installed

tests/js/node_modules/.installed: tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/js && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "js-deps: npm is missing; the SCORM and xAPI tests will be skipped" >&2; fi

## test: lint, then the whole suite (SQLite unless COURSEKIT_DATABASE_URL names another database)
test: install system-deps js-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check coursekit tests

## translations: refresh the message catalogue from the code and templates, and compile it
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project CourseKit -o coursekit/translations/messages.pot .
	$(BIN)/pybabel update -i coursekit/translations/messages.pot -d coursekit/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d coursekit/translations --statistics

## certificate-preview: render a sample certificate to build/certificate.pdf and page 1 as PNG
certificate-preview: install system-deps
	$(FLASK) coursekit certificate-preview --out build/certificate.pdf
	pdftoppm -png -r 100 -f 1 -l 1 build/certificate.pdf build/certificate
	@echo "page 1: build/certificate-1.png"

clean:
	rm -rf $(VENV) build dist instance .pytest_cache .ruff_cache
