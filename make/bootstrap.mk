# devkit: the bootstrap and include of devkit's targets, written by `devkit init`.
VENV ?= .venv
DEVKIT_MK := $(shell $(VENV)/bin/devkit makefile 2>/dev/null)
ifneq ($(DEVKIT_MK),)
include $(DEVKIT_MK)
else ifdef DEVKIT_BOOTSTRAPPED
$(error devkit is not in $(VENV): run `make sync` and read its output)
else
# A fresh clone: devkit comes with the dev group, so `make sync` installs it first: with
# uv (from PATH, else pip-installed into .cache/uv), or with Poetry when only Poetry is
# there. Any other target syncs first, then runs.
DEVKIT_SPEC = import tomllib; p = next(p for p in tomllib.load(open("poetry.lock", "rb"))["package"] if p["name"] == "devkit-toolchain"); s = p.get("source", {}); print(s["url"] if s.get("type") == "directory" else "devkit-toolchain==" + p["version"])
.PHONY: help sync
help:
	@echo "devkit is not installed yet. Start with:"
	@echo "  make sync    build $(VENV) from the lock, with devkit and the organisation's tools"
	@echo "Then \`make help\` lists every target (lint, tests, ci, ...); any target syncs first."
sync:
	@set -e; if [ -f uv.lock ]; then uv sync --locked; $(VENV)/bin/devkit sync; \
	elif command -v poetry >/dev/null && ! command -v uv >/dev/null; then \
	  python3 -P -m venv $(VENV); POETRY_VIRTUALENVS_IN_PROJECT=true poetry sync; $(VENV)/bin/devkit sync; \
	else uvx=$$(command -v uvx || true); \
	  if [ -z "$$uvx" ]; then python3 -P -m venv .cache/uv; .cache/uv/bin/pip install --quiet uv; uvx=.cache/uv/bin/uvx; fi; \
	  "$$uvx" --from "$$(python3 -P -c '$(DEVKIT_SPEC)')" devkit sync; fi
Makefile: ;
%: sync
	@$(MAKE) --no-print-directory $@ DEVKIT_BOOTSTRAPPED=1
endif
