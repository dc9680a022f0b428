"""The bootstrap block of a project's Makefile: devkit's include, or a fresh clone's `make sync`.

Rendered from make/bootstrap.mk with two parts of devkit's own Makefile include filled in,
so that `make help` lists devkit's targets before devkit is installed:

- `#@ devkit.mk`: the `##@ Heading` and `target: ## text` lines of make/devkit.mk, each
  after "#> " (comments to make; the help script reads them);
- `#@ help.awk`: the help script, make/help.awk, as the body of a make `define` (every
  `$` doubled; the block exports it, make expands it back for the shell).

The block starts at its first line (`FIRST_LINE`) and ends at the next `endif` line; a
project's Makefile holds it once, its own lines before or after it.
"""

from __future__ import annotations

import re

from devkit import resources

FIRST_LINE = "# devkit: the bootstrap and include of devkit's targets"
TARGETS = "#@ devkit.mk\n"
HELP = "#@ help.awk\n"
# The lines make/help.awk lists: a heading, or a target with `## text` (not a variable).
_DOCUMENTED = re.compile(r"##@|[A-Za-z0-9_./%-]+[ \t]*::?(?:[^:=\n]|$).*##[ \t]")
_END = re.compile(r"^endif[ \t]*$", re.MULTILINE)


def bootstrap() -> str:
    """The block as this devkit renders it."""
    template = _shipped("make/bootstrap.mk")
    listed = "".join(f"#> {line}\n" for line in _shipped("make/devkit.mk").splitlines() if _DOCUMENTED.match(line))
    program = _shipped("make/help.awk").replace("$", "$$")
    return _fill(_fill(template, TARGETS, listed), HELP, program)


def refreshed(text: str) -> str | None:
    """`text` with its bootstrap block replaced by this devkit's; None when it has no block."""
    start = text.find(FIRST_LINE)
    if start == -1 or (start > 0 and text[start - 1] != "\n"):
        return None
    end = _END.search(text, start)
    if end is None:
        return None
    after = text[end.end() :].removeprefix("\n")
    return text[:start] + bootstrap() + after


def _fill(template: str, placeholder: str, text: str) -> str:
    if template.count(placeholder) != 1:
        raise AssertionError(f"make/bootstrap.mk must hold {placeholder.strip()!r} once")
    return template.replace(placeholder, text)


def _shipped(name: str) -> str:
    return resources.shipped(name).read_text(encoding="utf-8")
