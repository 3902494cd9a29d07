# The two commands of the README: `make demo` runs the main job, `make test` runs every test.
# Both set up everything they need on a fresh machine (Python 3.11, Node 20, the package registries).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest

# The services pass: production-like settings against the machine's PostgreSQL and Redis. The database
# name and the Redis database numbers can be overridden so that two checkouts can test side by side.
CI_DATABASE ?= swap_ci
CI_REDIS_BROKER_DB ?= 13
CI_REDIS_CACHE_DB ?= 14
# Production settings refuse a missing or weak SECRET_KEY (swap/production.py): this one is for tests only.
SERVICES_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(CI_DATABASE) \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/$(CI_REDIS_BROKER_DB) REDIS_URL=redis://127.0.0.1:6379/$(CI_REDIS_CACHE_DB) \
	SECRET_KEY=services-pass-only-$(CI_DATABASE)-not-a-secret-0123456789abcdefghijklmnop \
	SECURE_SSL_REDIRECT=false SWAP_REQUIRE_SERVICES=1
# The embedded pass: none of the production variables, whatever the caller's shell holds.
EMBEDDED_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL -u SECRET_KEY -u ALLOWED_HOSTS -u DEBUG

# Pure and subprocess-only tests give the same answer on any database: pass 1 covers them.
DATABASE_INDEPENDENT := --ignore=tests/core --ignore=tests/simulator --ignore=tests/test_oxen_commands.py \
	--ignore=tests/test_demo.py --ignore=tests/test_demo_history.py --ignore=tests/test_sigterm.py \
	--ignore=tests/test_dependencies.py --ignore=tests/test_architecture.py --ignore=tests/bundles/test_verifier_install.py \
	--ignore=tests/test_contract_toolchain.py --ignore=tests/deploy/test_deploy_files.py --ignore=tests/deploy/test_units.py \
	--ignore=tests/deploy/test_production_start.py

.PHONY: install native test demo serve lint browser contracts alerts nginx prod-smoke

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The native SigV1 commitment (swap/core/native/): built when its source is newer than the module.
# Without it signature checks fall back to libsodium (same answers, slower); CI must get the fast path.
native: $(VENV)/.installed
	@$(PY) swap/core/native/build.py || { \
		if [ -n "$$CI" ]; then echo "CI is set and the native SigV1 module did not build: failing"; exit 1; fi; \
		echo "WARNING: the native SigV1 module did not build; signature checks fall back to libsodium (slower)"; }

install: $(VENV)/.installed node_modules/.installed native

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(EMBEDDED_ENV) $(PY) manage.py makemigrations --check --dry-run

# The browser tests drive Debian's chromium through Playwright; no browser is ever downloaded.
browser:
	@test -x /usr/bin/chromium || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The contract's own assurance (docs/contract.md), offline: forge (npm) compiles through contracts/solc.mjs,
# the pinned solc-js (foundry.toml); slither (PyPI) compiles through forge into its own out/ directory.
# Unit, fuzz (5,000 runs each) and invariant tests under the CI profile, the gas snapshot, the coverage
# gate and slither, which fails on any finding of low impact or above that is not silenced in the source.
FORGE := node_modules/.bin/forge
contracts: install
	@echo "== contracts: forge tests (CI profile), gas snapshot, coverage, slither"
	FOUNDRY_PROFILE=ci $(FORGE) test
	$(FORGE) snapshot --check --match-contract SwapDistributorGasTest
	$(PY) scripts/forge_coverage.py --lines 95 --branches 90
	rm -rf var/slither  # slither reads every build-info it finds there: only this compile's
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" FOUNDRY_OUT=var/slither/out FOUNDRY_CACHE_PATH=var/slither/cache \
		$(VENV)/bin/slither contracts/SwapDistributor.sol --skip-clean --filter-paths node_modules --fail-low

# The alerting rules through Debian's promtool (package `prometheus`): their syntax, then their unit tests
# (deploy/prometheus/alerts_test.yml). Installing the package may start a Prometheus server: it is stopped.
alerts:
	@command -v promtool >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
		&& { $$SUDO systemctl disable --now prometheus 2>/dev/null || true; }; }
	promtool check rules deploy/prometheus/alerts.yml
	cd deploy/prometheus && promtool test rules alerts_test.yml

test: lint browser contracts alerts
	@echo "== test pass 1: embedded default (SQLite, tasks in-process, local-memory cache)"
	$(EMBEDDED_ENV) $(PYTEST)
	@echo "== test pass 2: PostgreSQL, Redis broker and cache, real worker processes"
	@if $(PY) scripts/services_available.py; then \
		$(SERVICES_ENV) $(PYTEST) $(DATABASE_INDEPENDENT); \
	elif [ -n "$$CI" ]; then \
		echo "CI is set and PostgreSQL/Redis do not answer: failing instead of skipping"; exit 1; \
	else \
		echo "WARNING: PostgreSQL/Redis not reachable; the services pass did NOT run"; \
	fi
	@$(MAKE) --no-print-directory prod-smoke

# nginx for prod-smoke: Debian's package, installed when missing (as `browser` does for chromium).
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx openssl; }

# The production topology of deploy/ on one machine (docs/operations.md "Deployment"): nginx over HTTPS in
# front of gunicorn, both workers, beat and the watchdog started from their systemd units, on the running
# PostgreSQL (database swap_prodsmoke) and Redis (databases 11 and 12); a round end to end, a worker killed
# mid-payout. Report and logs in var/prod-smoke/. Under CI, PostgreSQL or Redis not answering fails it.
prod-smoke: install nginx
	@echo "== prod-smoke: the production topology on one machine"
	@if $(PY) scripts/services_available.py; then \
		PATH="$$PATH:/usr/sbin:/sbin" $(EMBEDDED_ENV) $(PY) scripts/prod_smoke.py; \
	elif [ -n "$$CI" ]; then \
		echo "CI is set and PostgreSQL/Redis do not answer: prod-smoke fails instead of skipping"; exit 1; \
	else \
		echo "WARNING: PostgreSQL/Redis not reachable; prod-smoke did NOT run"; \
	fi

# The main job end to end on local peers (anvil, the Oxen simulator) in var/, then the portal, the
# admin and the API on http://127.0.0.1:8000 with Celery until Ctrl-C (docs/operations.md, "The demo").
demo: install
	$(EMBEDDED_ENV) $(PY) manage.py demo --serve

serve: demo
