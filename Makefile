# devkit's own repository uses its Makefile include, running devkit from this source tree.
DEVKIT = python3 -m devkit
include make/devkit.mk
