"""What an environment holds, asked of its own Python: every distribution and the marker environment.

The probe uses the standard library only and runs as `ARGV... -I -c PROBE`, so the same
function reads a virtual environment (`[".venv/bin/python"]`) or an image (`["docker",
"run", "--rm", "--network", "none", "--entrypoint", "python3", IMAGE]`). `-I` keeps the
current folder and user site-packages out of what is listed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from devkit.env.markers import ENVIRONMENT_FUNCTION
from devkit.env.names import canonical
from devkit.errors import DevkitError

_PROBE = (
    ENVIRONMENT_FUNCTION
    + """\
import importlib.metadata, json, re
found = {}
for dist in importlib.metadata.distributions():
    name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
    if name and name not in found:  # the first on sys.path is the one imported
        found[name] = dist.version
print(json.dumps({"distributions": found, "environment": marker_environment()}))
"""
)


@dataclass(frozen=True)
class Installed:
    """Each installed distribution's version by canonical name, and PEP 508's marker variables."""

    distributions: dict[str, str]
    environment: dict[str, str]


def installed(argv: Sequence[str]) -> Installed:
    """Run the probe with the Python that `argv` starts; a failure is one DevkitError."""
    command = [*argv, "-I", "-c", _PROBE]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise DevkitError(f"could not start {argv[0]}: {exc.strerror or exc}: give the path of a Python") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
        raise DevkitError(f"could not list what {' '.join(argv)} has installed ({detail}): give the path of a Python")
    try:
        data = json.loads(result.stdout)
        distributions = {canonical(str(name)): str(version) for name, version in data["distributions"].items()}
        environment = {str(key): str(value) for key, value in data["environment"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DevkitError(f"{' '.join(argv)} did not answer devkit's probe: give the path of a Python 3") from None
    return Installed(distributions=distributions, environment=environment)
