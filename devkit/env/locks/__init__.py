"""Lock files read as data: poetry.lock, uv.lock and Poetry's content-hash."""

from __future__ import annotations

import re

# What a lock may record as a package's name and version: anything else would be read
# into a requirement line as something other than a name or a version.
NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*")
