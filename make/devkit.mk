# devkit's shared Makefile include. A project's Makefile includes the copy shipped in
# devkit (`devkit makefile` prints its path); `make help` lists every documented target.
#
# Variables a project may set before the include:
#   VENV    the project's virtual environment (default: .venv)
#   DEVKIT  the devkit command (default: the one in $(VENV))

DEVKIT_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
VENV ?= .venv
DEVKIT ?= $(VENV)/bin/devkit

.DEFAULT_GOAL := help

##@ Getting started

.PHONY: help
help: ## list the targets of this project, with what they do
	@colour=0; if [ -t 1 ] && [ -z "$${NO_COLOR:-}" ]; then colour=1; fi; \
	awk -v colour=$$colour -f $(DEVKIT_MK_DIR)help.awk $(MAKEFILE_LIST)

.PHONY: sync
sync: ## build .venv from the lock, exactly (a no-op when nothing changed)
	$(DEVKIT) sync

##@ Checks: the commands of `devkit stages`, the same in the hooks and in CI

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

ci: lint tests ## every check CI runs, in CI's order
