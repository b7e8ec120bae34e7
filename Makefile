# Convene: `make run` serves the demo; `make test` proves it. `make help` lists everything.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
ASSETS := conference/static/css/convene.css
DEV_DB := instance/convene.sqlite3
DEV_ENV := CONVENE_ENV=development DATABASE_URL=sqlite:///$(CURDIR)/$(DEV_DB)

.PHONY: help run run-extras test lint format lock bench screenshots install assets postgres chromium code worker planner clean \
	test-unit test-integration test-browser

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# Every dependency (runtime and dev) comes pinned and hash-checked from requirements.lock; Convene itself after.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install Convene (hash-pinned, from requirements.lock)

lock: ## Re-pin requirements.lock from pyproject.toml (pip-tools in a throwaway venv; PyPI's files and hashes only)
	@d=$$(mktemp -d) && python3 -m venv $$d/venv && $$d/venv/bin/pip install --quiet pip-tools && \
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
	  CUSTOM_COMPILE_COMMAND="make lock" \
	  $$d/venv/bin/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links -o requirements.lock pyproject.toml; \
	rc=$$?; rm -rf $$d; exit $$rc

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS): node_modules/.package-lock.json conference/assets/main.scss conference/assets/_convene.scss conference/assets/build.mjs
	node conference/assets/build.mjs

assets: $(ASSETS) ## Build the GOV.UK Frontend styles and scripts into conference/static

run: install assets ## Install, migrate an SQLite database, load the Northbridge demo and serve on http://127.0.0.1:5000
	@mkdir -p instance
	$(DEV_ENV) $(VENV)/bin/flask --app wsgi db upgrade
	$(DEV_ENV) $(VENV)/bin/flask --app wsgi demo load
	$(DEV_ENV) $(VENV)/bin/flask --app wsgi decisions demo
	@$(MAKE) --no-print-directory -s run-extras
	@echo ""
	@echo "Convene is starting on http://127.0.0.1:5000  (press Ctrl+C to stop)"
	@echo "Sign in with a demo account above. For the security code run, in another terminal:"
	@echo "    make code EMAIL=casey.quill@northbridge.example"
	@echo "For Plan the week (quinn.hollowell@northbridge.example, the manager), run \`make planner\` in another terminal."
	$(DEV_ENV) $(VENV)/bin/flask --app wsgi run --host 127.0.0.1 --port 5000

run-extras:
	@if $(PY) -c "import conference.mailcatcher" 2>/dev/null; then \
	  $(DEV_ENV) $(VENV)/bin/flask --app wsgi mail catcher --background; fi

code: install ## Print the current security code for a demo account: make code EMAIL=...
	@$(DEV_ENV) $(VENV)/bin/flask --app wsgi users code $(EMAIL) 2>/dev/null

worker: install ## Deliver queued invitations and emails (the outbox worker)
	$(DEV_ENV) $(VENV)/bin/flask --app wsgi outbox work

planner: install ## Solve the plans asked for on "Plan the week" (the planning worker)
	$(DEV_ENV) $(VENV)/bin/flask --app wsgi planning work

postgres: ## Start the local PostgreSQL cluster if it is installed and stopped
	@if command -v pg_lsclusters >/dev/null; then \
	  pg_lsclusters --no-header | while read ver name port status rest; do \
	    if [ "$$status" != "online" ]; then pg_ctlcluster --skip-systemctl-redirect $$ver $$name start || exit 1; fi; \
	  done; \
	else echo "PostgreSQL is not installed: the integration tests need it (apt-get install postgresql)"; exit 1; fi

chromium: ## Install Debian's Chromium for the browser tests, if missing
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Chromium (apt-get)..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "Chromium could not be installed: the browser tests cannot run"; exit 1; }; fi

lint: install ## ruff (rules and format), mypy; the import contracts are tests/unit/test_import_contracts.py
	$(VENV)/bin/ruff check conference scheduler decisions rules tests bench wsgi.py
	$(VENV)/bin/ruff format --check conference scheduler decisions rules tests bench wsgi.py
	$(VENV)/bin/mypy conference scheduler decisions rules wsgi.py

format: install ## Reformat the code with ruff format (make lint checks it)
	$(VENV)/bin/ruff format conference scheduler decisions rules tests bench wsgi.py

test: install assets postgres chromium lint ## Install what the tests need and run them all
	$(VENV)/bin/pytest -n 2 -p no:cacheprovider --dist loadgroup tests

test-unit: install ## The unit tests alone (no database)
	$(VENV)/bin/pytest -q tests/unit

test-integration: install postgres ## The integration tests alone (real PostgreSQL)
	$(VENV)/bin/pytest -n 2 -p no:cacheprovider --dist loadgroup -q tests/integration

test-browser: install assets postgres chromium ## The browser tests alone (Chromium through Playwright)
	$(VENV)/bin/pytest -n 2 -p no:cacheprovider --dist loadgroup -q tests/browser

bench: install ## Benchmarks; results in docs/benchmarks.md
	@set -e; for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script; done

screenshots: install assets chromium ## Re-take the README's screenshots of the demo (docs/images/) in Chromium
	$(PY) tests/browser/screenshots.py

clean: ## Remove the virtual environment, built assets and the demo database
	rm -rf $(VENV) node_modules conference/static/css conference/static/govuk instance
