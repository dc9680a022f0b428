# devkit's own repository uses its Makefile include, running devkit from this source tree:
# with the interpreter of .venv once `make sync` built it (devkit's dependencies are there),
# before that with python3 (`devkit sync` needs only the standard library).
DEVKIT = $$(test -x .venv/bin/python && echo .venv/bin/python || echo python3) -m devkit
include make/devkit.mk
