"""The lock's markers evaluated with `packaging`, for the interpreter `.venv` runs.

The marker environment is read from that interpreter itself with a standard-library
probe, so a sync run from one Python for a `.venv` on another selects for the `.venv`.
When `packaging` cannot be imported (devkit running from its source before its own
dependencies exist), there is no evaluator and each requirement carries its marker to
uv, which evaluates it for the same interpreter.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from devkit.errors import DevkitError

# Standard library only: it runs in any Python (a bare image's too). Shared by `devkit.env.installed`.
ENVIRONMENT_FUNCTION = """\
import os, platform, sys
def marker_environment():
    info = sys.implementation.version
    version = "%d.%d.%d" % info[:3]
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }
"""
_PROBE = ENVIRONMENT_FUNCTION + "import json\nprint(json.dumps(marker_environment()))\n"


def environment(interpreter: Path) -> dict[str, str]:
    """PEP 508's marker variables as `interpreter` sees them."""
    result = subprocess.run([interpreter, "-c", _PROBE], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DevkitError(f"could not read the marker environment of {interpreter}: {result.stderr.strip()}")
    values: dict[str, str] = json.loads(result.stdout)
    return values


def evaluator(interpreter: Path, extras: Sequence[str] = ()) -> Callable[[str], bool] | None:
    """A function telling whether a marker holds for `interpreter` and the requested extras.

    As Poetry reads its lock: a package the lock marks `extra == "NAME"` is selected when
    NAME is requested. None without packaging, which only a sync without extras can do without.
    """
    try:
        from packaging.markers import Marker
    except ImportError:
        if extras:
            raise DevkitError(
                "installing extras needs devkit's dependencies (packaging): run `devkit sync` from .venv"
            ) from None
        return None
    values = environment(interpreter)
    choices = [{**values, "extra": extra} for extra in extras or ("",)]
    return lambda marker: any(Marker(marker).evaluate(choice) for choice in choices)
