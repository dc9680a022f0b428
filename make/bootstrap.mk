# devkit: the bootstrap and include of devkit's targets, written by `devkit init`.
# `devkit check` fails when this block (down to its endif) is not what devkit renders, and
# `devkit upgrade` rewrites it: put the project's own lines before or after it.
VENV ?= .venv
DEVKIT_MK := $(shell $(VENV)/bin/devkit makefile 2>/dev/null)
ifneq ($(DEVKIT_MK),)
include $(DEVKIT_MK)
else ifdef DEVKIT_BOOTSTRAPPED
$(error devkit is not in $(VENV): run `make sync` and read its output)
else
# A fresh clone: devkit comes with the dev group, so `make sync` installs it first: with
# uv (from PATH, else pip-installed into .cache/uv), or with Poetry when only Poetry is
# there.
DEVKIT_SPEC = import tomllib; p = next(p for p in tomllib.load(open("poetry.lock", "rb"))["package"] if p["name"] == "devkit-toolchain"); s = p.get("source", {}); print(s["url"] if s.get("type") == "directory" else "devkit-toolchain==" + p["version"])
AWK ?= awk
.PHONY: help sync
help:
	@colour=0; if [ -z "$${NO_COLOR:-}" ] && { [ -n "$${FORCE_COLOR:-}" ] || [ -t 1 ]; }; then colour=1; fi; \
	$(AWK) -v colour=$$colour -v ready="help sync" "$$DEVKIT_HELP_AWK" $(MAKEFILE_LIST)
sync:
	@set -e; if [ -f uv.lock ]; then uv sync --locked; $(VENV)/bin/devkit sync; \
	elif command -v poetry >/dev/null && ! command -v uv >/dev/null; then \
	  python3 -P -m venv $(VENV); POETRY_VIRTUALENVS_IN_PROJECT=true poetry sync; $(VENV)/bin/devkit sync; \
	else uvx=$$(command -v uvx || true); \
	  if [ -z "$$uvx" ]; then python3 -P -m venv .cache/uv; .cache/uv/bin/pip install --quiet uv; uvx=.cache/uv/bin/uvx; fi; \
	  "$$uvx" --from "$$(python3 -P -c '$(DEVKIT_SPEC)')" devkit sync; fi
# Any other target: `make sync`, then the target with devkit's include. (.DEFAULT, not a
# `%: sync` rule: the latter would also sync to "remake" every makefile the project includes.)
.DEFAULT:
	@$(MAKE) --no-print-directory sync
	@$(MAKE) --no-print-directory $@ DEVKIT_BOOTSTRAPPED=1
# What `make help` lists before devkit is installed: devkit's documented targets (the
# lines of make/devkit.mk after "#> "), read by devkit's help script (make/help.awk).
#@ devkit.mk
define DEVKIT_HELP_AWK
#@ help.awk
endef
export DEVKIT_HELP_AWK
endif
