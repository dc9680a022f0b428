# devkit's shared Makefile include: the targets every service has. A project's Makefile
# includes the copy shipped in devkit (`devkit makefile` prints its path) and adds its
# own targets; `make help` lists them all. GNU make 3.81 or later.
#
# Variables a project may set before the include:
#   VENV    the project's virtual environment          (default: .venv)
#   DEVKIT  the devkit command                         (default: $(VENV)/bin/devkit)
#   AWK     the awk that formats `make help`           (default: awk)
#   BUMP_ARGS  what bump-patch|minor|major pass to `devkit bump` (default: --dry-run);
#              `make bump-minor BUMP_ARGS="--commit --tag"` makes the release commit and tag
# `make -n TARGET` shows the commands a target runs.

DEVKIT_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
VENV ?= .venv
DEVKIT ?= $(VENV)/bin/devkit
AWK ?= awk
BUMP_ARGS ?= --dry-run

.DEFAULT_GOAL := help

##@ Getting started

.PHONY: help
help: ## list every target with what it does
	@colour=0; if [ -z "$${NO_COLOR:-}" ] && { [ -n "$${FORCE_COLOR:-}" ] || [ -t 1 ]; }; then colour=1; fi; \
	$(AWK) -v colour=$$colour -f $(DEVKIT_MK_DIR)help.awk $(MAKEFILE_LIST)

.PHONY: sync
sync: ## build .venv from the lock, exactly (a no-op when nothing changed)
	$(DEVKIT) sync

.PHONY: hooks
hooks: ## install the git hooks: checks on commit, tests on push
	$(VENV)/bin/pre-commit install --hook-type pre-commit --hook-type pre-push

##@ Upkeep: the files devkit renders, and the project's setup

.PHONY: check upgrade doctor
check: ## fail with a diff when a file devkit renders (.gitlab-ci.yml, Dockerfile, the Makefile's block) is out of date
	$(DEVKIT) check

upgrade: sync ## after bumping devkit in the lock: re-render the files devkit renders, then commit them
	$(DEVKIT) upgrade

doctor: ## check the setup (Python, lock, .venv, hooks, rendered files, tool config); changes nothing
	$(DEVKIT) doctor

##@ Checks: the commands `devkit stages` lists, the same in the hooks and in CI

.PHONY: lint format typecheck mypy tests ci
lint: ## every linter: ruff check, ruff format --check, mypy
	$(DEVKIT) run lint

format: ## rewrite the code: ruff check --fix, then ruff format
	$(DEVKIT) run format

typecheck: ## type-check the project with mypy
	$(DEVKIT) run typecheck

mypy: typecheck ## the same as typecheck

tests: ## run pytest with coverage and its fail-under
	$(DEVKIT) run tests

ci: ## every check CI runs, in CI's order (`devkit ci run`)
	$(DEVKIT) ci run

##@ Release

.PHONY: build show-version bump-patch bump-minor bump-major clean
build: ## build the wheel once, into dist/
	$(DEVKIT) run build

show-version: ## print the project's version (`devkit version`)
	@$(DEVKIT) version

bump-patch: ## show the next patch version; BUMP_ARGS="--commit --tag" makes it
	$(DEVKIT) bump patch $(BUMP_ARGS)

bump-minor: ## show the next minor version; BUMP_ARGS="--commit --tag" makes it
	$(DEVKIT) bump minor $(BUMP_ARGS)

bump-major: ## show the next major version; BUMP_ARGS="--commit --tag" makes it
	$(DEVKIT) bump major $(BUMP_ARGS)

clean: ## remove dist, build, tool caches, coverage data (keeps .venv and .devkit)
	rm -rf dist build .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.*

##@ Images: `devkit image`, for projects with [tool.devkit.image] in pyproject.toml

.PHONY: image image-test audit
image: build ## build the production image (main group and the wheel), tagged with the version and latest
	$(DEVKIT) image build production

image-test: build ## build the test image (main and dev groups and the wheel) and run the tests in it
	$(DEVKIT) image test

audit: ## deny-list check of the lock's main group, then the production image against the lock
	$(DEVKIT) audit
	$(DEVKIT) audit --image
