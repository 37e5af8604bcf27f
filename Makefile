# Cloud Window — set-up, run and test.
#
#   make run    bootstrap, embedded PostgreSQL + Redis (unless DATABASE_URL etc. are set), migrate both
#               sites, load the demo data, then front :8000, central :8100, workers and beats under honcho
#               NETWORK=1 adds a second front (the municipal centre's, :8001) and a partner region's central
#               (:8101), each with its own database (bin/platform)
#   make test   the same bootstrap and services, then ruff, import-linter and pytest for both roles
#   make test-image  the deployment image (deploy/Containerfile) built with podman and its services started (CI: after make test)
#
# "Bootstrap" installs the missing Debian packages (as root, or through sudo), creates .venv and installs
# requirements-dev.txt into it whenever a requirements file changed. Nothing is done twice: a prepared
# machine goes straight to the work.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
VENV_BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.requirements-installed
VAR_DIR ?= $(CURDIR)/var
SERVICES_ENV := $(VAR_DIR)/services.env
PYTEST_ARGS ?=

# Fonts and libraries for WeasyPrint (PDF, Chinese text), chromium for the browser tests, pdftotext for
# checking documents, gettext for compilemessages, faketime for the clock-skew fault test, pgbouncer and haproxy
# for the cluster on one machine (make run-cluster, tests/cluster), coturn for the remote window's TURN test
# (tests/e2e/test_remote_window.py; its service is never started: the test runs its own turnserver).
APT_PACKAGES := chromium fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b poppler-utils gettext faketime pgbouncer haproxy coturn

export VAR_DIR
export PATH := $(VENV_BIN):$(PATH)
# Development: dev default secrets allowed, no HTTPS redirect. Set DEV_MODE=0 (e.g. in .env) to try without.
export DEV_MODE ?= 1
# `make run NETWORK=1`: four platforms instead of two (README, "A network of platforms").
NETWORK ?= 0
PLATFORMS := front central $(if $(filter 1,$(NETWORK)),sz tj)
# The processes honcho starts: all of the Procfile's with NETWORK=1, else those of the first two sites.
PROCESSES := $(if $(filter 1,$(NETWORK)),,front central front-worker central-worker front-beat central-beat)

# Every recipe that talks to a database or Redis starts with this: the variables of .env (if there is
# one), then the URLs of the embedded servers (which never override a variable already set).
LOAD_ENV = set -a; if [ -f .env ]; then . ./.env; fi; set +a; if [ -f "$(SERVICES_ENV)" ]; then . "$(SERVICES_ENV)"; fi
# Tests use the next Redis database of the same server (0 -> 1): Django's cache.clear() flushes a whole
# database, and tasks that tests queue must never reach the workers of `make run`.
TEST_REDIS = eval "$$(python bin/devservices.py test-env)"

.PHONY: help bootstrap test-slow system-packages services services-stop services-status migrate seed collectstatic messages \
	run run-cluster test test-front test-central test-image image-packages lint mypy bench-booking bench-availability bench-search bench-call-next bench-handoff bench-remote bench-day restore-drill

help:
	@echo "make run             set up everything, then run both sites (Ctrl-C stops)"
	@echo "make run-cluster     the same as a cluster: 2 nodes per site behind HAProxy, PgBouncer, S3, locked beats"
	@echo "make run NETWORK=1   the same with a second front and a partner region's central (four platforms)"
	@echo "make test            set up everything, then lint and the whole test suite"
	@echo "make test-front      only the front role's tests (PYTEST_ARGS=... to select)"
	@echo "make test-central    only the central role's tests"
	@echo "make test-image      build deploy/Containerfile with podman, start its services, check them (CI: after make test)"
	@echo "make lint            ruff check, ruff format --check and import-linter"
	@echo "make mypy            type-check apps/ and govservice/"
	@echo "make services        start (or reuse) embedded PostgreSQL and Redis; print their URLs"
	@echo "make services-stop   stop them (data stays in var/)"
	@echo "make migrate | seed | collectstatic   the single steps of make run"
	@echo "make bench-booking   flash crowd through the booking API vs a bare-UPDATE ceiling (BENCH_ARGS=...)"
	@echo "make bench-availability   slot availability with 2,000 matters and 20 halls (BENCH_ARGS=...)"
	@echo "make bench-search    Chinese catalog search over 2,000 matters, p95 and the query plan (BENCH_ARGS=...)"
	@echo "make bench-call-next  8 windows calling next at once over 2,000 tickets (BENCH_ARGS=...)"
	@echo "make bench-handoff   cases to central and decisions back, clean and under faults (BENCH_ARGS=...)"
	@echo "make bench-remote    remote-window signalling: concurrent sessions carried, CPU per session (BENCH_ARGS=...)"
	@echo "make bench-day       a city's peak hour on both sites (locust), one node per site then two behind HAProxy (BENCH_ARGS=...)"
	@echo "make restore-drill   dump both sites, restore into new databases, start, reconcile, check (DRILL_ARGS=...)"

# --- Bootstrap ----------------------------------------------------------------------------------------

bootstrap: system-packages $(STAMP)

system-packages:
	@missing=""
	if command -v dpkg-query >/dev/null; then
	  for pkg in $(APT_PACKAGES); do
	    [ "$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null || true)" = "install ok installed" ] || missing="$$missing $$pkg"
	  done
	  if [ ! -x "$(VENV_BIN)/python" ]; then
	    py="$(PYTHON)"
	    if [ -z "$$py" ]; then missing="$$missing python3 python3-venv"
	    elif ! "$$py" -c 'import ensurepip, venv' 2>/dev/null; then missing="$$missing python3-venv"; fi
	  fi
	fi
	if [ -n "$$missing" ]; then
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"
	  echo "==> installing Debian packages:$$missing"
	  $$sudo apt-get update
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends $$missing
	fi

$(VENV_BIN)/python: | system-packages
	@py="$(PYTHON)"; [ -n "$$py" ] || py=python3
	echo "==> creating $(VENV) with $$py"
	"$$py" -m venv "$(VENV)"

# Reinstalled only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt | $(VENV_BIN)/python
	@echo "==> installing requirements-dev.txt into $(VENV)"
	"$(VENV_BIN)/python" -m pip install --quiet --progress-bar off -r requirements-dev.txt
	touch "$@"

# --- Services -----------------------------------------------------------------------------------------

# Starts embedded PostgreSQL / Redis only for what DATABASE_URL, CENTRAL_DATABASE_URL, REDIS_URL leave
# unset, creates both databases when missing, writes var/services.env. Idempotent.
services: bootstrap
	@set -a; if [ -f .env ]; then . ./.env; fi; set +a
	python bin/devservices.py start

services-stop:
	@python bin/devservices.py stop

services-status:
	@python bin/devservices.py status

# --- Run ----------------------------------------------------------------------------------------------

migrate: services
	@$(LOAD_ENV)
	for platform in $(PLATFORMS); do
	  echo "==> migrate ($$platform)"
	  bin/platform $$platform python manage.py migrate --noinput
	done

# seed_demo is idempotent: a second run finds the data and changes nothing.
seed: migrate
	@$(LOAD_ENV)
	for platform in $(PLATFORMS); do
	  echo "==> demo data ($$platform)"
	  bin/platform $$platform python manage.py seed_demo
	done

# collectstatic hashes and compresses every file each time (~15 s a role), so it runs only when a static
# source or the installed packages changed since the manifest was written. With STATIC_ROOT moved or
# STATIC_MANIFEST=0 there is no manifest here, and it simply runs every time.
STATIC_SOURCES := $(shell find static apps -path '*static*' 2>/dev/null | grep -v ' ')
collectstatic: $(VAR_DIR)/static-front/staticfiles.json $(VAR_DIR)/static-central/staticfiles.json

$(VAR_DIR)/static-%/staticfiles.json: $(STAMP) $(STATIC_SOURCES)
	@$(LOAD_ENV)
	echo "==> collectstatic ($*)"
	SITE_ROLE=$* python manage.py collectstatic --noinput -v 0

# Compiles the project's .po files, if it has any (Django skips those whose .mo is up to date).
messages: bootstrap
	@if find . \( -path ./.venv -o -path ./var -o -path ./node_modules -o -path ./.git \) -prune -o -name '*.po' -print | grep -q .; then
	  echo "==> compilemessages"
	  python manage.py compilemessages --ignore .venv --ignore var --ignore node_modules -v 0
	fi

run: seed collectstatic messages
	@$(LOAD_ENV)
	echo
	echo "================================================================================"
	echo " Cloud Window 云窗口"
	echo "   front   (citizen portal, halls, clerks):  http://127.0.0.1:8000/"
	echo "   central (approval back office):           http://127.0.0.1:8100/"
	if [ "$(NETWORK)" = 1 ]; then
	  echo "   second front (市政务服务中心, BJ-SZ):      http://127.0.0.1:8001/"
	  echo "   partner region's central (天津, TJ):       http://127.0.0.1:8101/"
	  echo "   a citizen's cases at both fronts are listed on 我的办事 (/me/) of each"
	fi
	echo "   API docs: /api/docs/ on each site; admin: /admin/"
	for platform in $(PLATFORMS); do
	  echo "--- demo logins ($$platform) ---"
	  bin/platform $$platform python manage.py seed_demo --logins
	done
	echo " Ctrl-C stops all the processes (the embedded databases keep running: make services-stop)."
	echo "================================================================================"
	echo
	export DEMO_NETWORK=$(NETWORK)
	exec honcho start -f Procfile $(PROCESSES)

# --- Test ---------------------------------------------------------------------------------------------

# pytest runs once per role: one Django process can only be one site. Both runs happen whatever the
# first one says; any failure (including exit 5, "no tests collected": a suite that runs nothing is a
# defect) fails the target. PYTEST_ARGS goes to both runs. Static files come from the finders in tests
# (STATIC_MANIFEST=0), so no collectstatic is needed first.
PYTEST_FRONT = SITE_ROLE=front DEV_MODE=1 STATIC_MANIFEST=0 pytest tests --ignore=tests/central
PYTEST_CENTRAL = SITE_ROLE=central DEV_MODE=1 STATIC_MANIFEST=0 pytest tests/shared tests/central
RESULTS := $(VAR_DIR)/test-results
# `make test` runs its pytest in two lanes side by side, one per core, each run writing its log, exit code and
# JUnit report under var/test-results: lane 1 the front's in-process tests (about 9 minutes in CI); lane 2
# central's tests, then the two sites as real servers (tests/e2e: gunicorn, Celery, the wire between them), then
# the front's browser tests (tests/browser: a live server in the test process) — about 2 + 5 + 5 minutes. The long runs marked `slow` (both sites' API
# fuzz, the front's status-reach trace run, the restore drill, the wire's fault runs) and the cluster's tests (HAProxy, PgBouncer,
# several nodes per site) are `make test-slow`'s, in the same two lanes; CI runs both. Each lane has its own
# test databases (TEST_DB_SUFFIX) and Redis database, so they never meet. TEST_LANES=1 runs the lanes one
# after the other.
TEST_LANES ?= 2
OUTSIDE = cluster or containers or slow
LANE_TEST_A = front:$(PYTEST_FRONT) -m "not (e2e or browser or $(OUTSIDE))"
LANE_TEST_B = central:$(PYTEST_CENTRAL) -m "not ($(OUTSIDE))"|front-servers:$(PYTEST_FRONT) -m "e2e and not ($(OUTSIDE))"|front-browser:$(PYTEST_FRONT) -m "browser and not (e2e or $(OUTSIDE))"
LANE_SLOW_A = front-slow:$(PYTEST_FRONT) -m "slow and not (e2e or browser or cluster or containers)"|central-slow:$(PYTEST_CENTRAL) -m "slow"
LANE_SLOW_B = front-servers-slow:$(PYTEST_FRONT) -m "slow and (e2e or browser) and not (cluster or containers)"|front-cluster:$(PYTEST_FRONT) -m "cluster"

# $(call LANES,<runs of lane 1>,<runs of lane 2>,<what>): each run is NAME:COMMAND, runs separated by "|".
# A run that collects nothing exits 5 and counts as a failure, except the slow runs of a role that has none.
define LANES
	lane() {
	  local runs run name rc; IFS='|' read -ra runs <<< "$$1"
	  for run in "$${runs[@]}"; do
	    name="$${run%%:*}"; rc=0
	    bash -c "$${run#*:} --junitxml=\"$(RESULTS)/$$name.xml\" $(PYTEST_ARGS)" < /dev/null > "$(RESULTS)/$$name.log" 2>&1 || rc=$$?
	    echo $$rc > "$(RESULTS)/$$name.rc"
	  done
	}
	lane_b() {
	  eval "$$(python bin/devservices.py test-env 2)"
	  export TEST_DB_SUFFIX="$${TEST_DB_SUFFIX:-}lane2"
	  lane "$$1"
	}
	mkdir -p "$(RESULTS)"
	runs="$$(printf '%s|%s' '$(1)' '$(2)' | tr '|' '\n' | sed 's/:.*//' | tr '\n' ' ')"
	for name in $$runs; do rm -f "$(RESULTS)/$$name".xml "$(RESULTS)/$$name".log "$(RESULTS)/$$name".rc; done
	start=$$SECONDS
	if [ "$(TEST_LANES)" = 1 ]; then
	  echo "==> pytest ($(3)): $$runs one after the other"
	  lane '$(1)'; lane_b '$(2)'
	else
	  echo "==> pytest ($(3)): two lanes side by side; logs follow"
	  lane '$(1)' & a=$$!; lane_b '$(2)' & b=$$!; wait $$a $$b || true
	fi
	totals=""
	for name in $$runs; do
	  echo "==> pytest ($$name)"; cat "$(RESULTS)/$$name.log" 2>/dev/null || true
	  rc=$$(cat "$(RESULTS)/$$name.rc" 2>/dev/null || echo 1)
	  if [ "$$rc" = 5 ]; then echo "pytest ($$name): no tests collected (exit 5) — counted as a failure"; fi
	  [ "$$rc" = 0 ] || failed="$$failed pytest-$$name(exit $$rc)"
	  totals="$$totals $$name=$$rc:$(RESULTS)/$$name.xml"
	done
	echo "pytest took $$((SECONDS - start)) s"
	if [ -n "$$failed" ]; then echo "make $(3): FAILED:$$failed"; else echo "make $(3): all steps passed"; fi
	# Last line: the pytest runs added up, as "total: N passed, N failed, N skipped".
	python bin/test_totals.py $$totals
	[ -z "$$failed" ]
endef

test: services messages
	@$(LOAD_ENV)
	$(TEST_REDIS)
	failed=""
	echo "==> ruff check ."
	ruff check . || failed="$$failed ruff"
	echo "==> ruff format --check ."
	ruff format --check . || failed="$$failed ruff-format"
	echo "==> lint-imports"
	lint-imports --no-logo --cache-dir "$(VAR_DIR)/import-linter-cache" || failed="$$failed import-linter"
	echo "==> mypy (front, central)"
	$(MYPY_FRONT) || failed="$$failed mypy-front"
	$(MYPY_CENTRAL) || failed="$$failed mypy-central"
	echo "==> makemigrations --check (both roles)"
	for role in front central; do
	  SITE_ROLE=$$role python manage.py makemigrations --check --dry-run -v 0 || failed="$$failed migrations-$$role"
	done
	$(call LANES,$(LANE_TEST_A),$(LANE_TEST_B),test)

test-slow: services messages
	@$(LOAD_ENV)
	$(TEST_REDIS)
	failed=""
	$(call LANES,$(LANE_SLOW_A),$(LANE_SLOW_B),test-slow)

test-front: services messages
	@$(LOAD_ENV)
	$(TEST_REDIS)
	$(PYTEST_FRONT) $(PYTEST_ARGS)

test-central: services messages
	@$(LOAD_ENV)
	$(TEST_REDIS)
	$(PYTEST_CENTRAL) $(PYTEST_ARGS)

# The deployment image (issue 18): tests/deploy/test_image.py builds deploy/Containerfile with podman and starts
# the compose file's services from it against the services' PostgreSQL and Redis. Apart from `make test`, whose
# lanes it would lengthen by minutes: CI runs it after. It needs Debian's podman (installed with what it
# recommends, as it was tested), runc (crun refuses hosts whose cgroups are in hybrid mode) and debootstrap (the
# test makes its own base image: no image registry is reachable where it runs).
IMAGE_APT_PACKAGES := podman runc debootstrap

image-packages:
	@missing=""
	if command -v dpkg-query >/dev/null; then
	  for pkg in $(IMAGE_APT_PACKAGES); do
	    [ "$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null || true)" = "install ok installed" ] || missing="$$missing $$pkg"
	  done
	fi
	if [ -n "$$missing" ]; then
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"
	  echo "==> installing Debian packages:$$missing"
	  $$sudo apt-get update
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y $$missing
	fi

test-image: services image-packages
	@$(LOAD_ENV)
	$(TEST_REDIS)
	SITE_ROLE=front DEV_MODE=1 STATIC_MANIFEST=0 pytest tests/deploy/test_image.py -m containers $(PYTEST_ARGS)

lint: bootstrap
	@echo "==> ruff check ."
	status=0
	ruff check . || status=1
	echo "==> ruff format --check ."
	ruff format --check . || status=1
	echo "==> lint-imports"
	lint-imports --no-logo --cache-dir "$(VAR_DIR)/import-linter-cache" || status=1
	exit $$status

# One role at a time, as Django runs: each site's apps against its own settings.
MYPY_FRONT = SITE_ROLE=front DEV_MODE=1 mypy --cache-dir "$(VAR_DIR)/mypy-cache-front" apps/shared apps/front govservice --exclude 'urls_central|migrations/'
MYPY_CENTRAL = SITE_ROLE=central DEV_MODE=1 mypy --cache-dir "$(VAR_DIR)/mypy-cache-central" apps/shared apps/central govservice --exclude 'urls_front|migrations/'

mypy: bootstrap
	@$(MYPY_FRONT)
	$(MYPY_CENTRAL)

# --- Benchmarks (DESIGN.md §8) ------------------------------------------------------------------------

# Each one creates its own database on the services' PostgreSQL (bench_<name>_<pid>), migrates and loads
# it, runs gunicorn on a free loopback port, and removes both at the end, failure or not. The figures end
# with one JSON line. BENCH_ARGS goes to the script (--help lists the options).
BENCH_ARGS ?=

bench-booking: services
	@$(LOAD_ENV)
	python -m bench.booking $(BENCH_ARGS)

bench-availability: services
	@$(LOAD_ENV)
	python -m bench.availability $(BENCH_ARGS)

bench-search: services
	@$(LOAD_ENV)
	python -m bench.search $(BENCH_ARGS)

bench-call-next: services
	@$(LOAD_ENV)
	python -m bench.call_next $(BENCH_ARGS)

# Both sites (e2e_<role>_<tag> databases), their workers, a private redis-server and the fault proxies;
# 2,000 cases clean, then 2,000 more across five faults. Takes a quarter of an hour on a small machine.
bench-handoff: services
	@$(LOAD_ENV)
	python -m bench.handoff $(BENCH_ARGS)

# Both sites under gunicorn on their own fresh databases; concurrent remote-window sessions (two polling pages
# each, the hall's through its front to central) in rising levels: sessions carried, CPU per session.
bench-remote: services
	@$(LOAD_ENV)
	python -m bench.remote_signalling $(BENCH_ARGS)

# A city's peak hour across both sites at once (locust users: citizens, kiosks, clerks, approvers; the wire between):
# the cluster of bin/cluster.py with one node per site, then two, on copies of one prepared pair of databases
# (bench_day_<role>_<pid>); per action and per site figures, the ratio, the invariants. About 12 minutes.
bench-day: services
	@$(LOAD_ENV)
	python -m bench.day $(BENCH_ARGS)

# --- The cluster on one machine (issue 18) -----------------------------------------------------------------

# Both sites as a city runs them: two gunicorn nodes per site behind HAProxy (front :8000, central :8100,
# CLUSTER_FRONT_PORT / CLUSTER_CENTRAL_PORT), PgBouncer in transaction pooling, uploads on an S3 server at the
# edge, a worker and two beats per site (one sends: the Redis lock). Options: CLUSTER_ARGS="--nodes 3" (bin/cluster.py --help).
CLUSTER_ARGS ?=

run-cluster: seed collectstatic messages
	@$(LOAD_ENV)
	exec python bin/cluster.py run $(CLUSTER_ARGS)

# --- Operations ---------------------------------------------------------------------------------------

# The backup and restore drill (README "Operations"): pg_dump of both sites' databases, restored into new
# ones (dropped at the end), both sites started on them, reconciled over the wire, checked; one JSON line.
DRILL_ARGS ?=

restore-drill: services
	@$(LOAD_ENV)
	python bin/restore_drill.py all --front-media "$(VAR_DIR)/media-front" --central-media "$(VAR_DIR)/media-central" $(DRILL_ARGS)
