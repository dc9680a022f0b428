"""Build small, valid, reproducible pure-Python wheels for the test index.

Only the standard library is used. Every archive member gets a fixed
timestamp and fixed permissions, and members are written in a fixed order
(payload sorted, then the ``.dist-info`` files with ``RECORD`` last), so
the same arguments always produce the same bytes (and the same sha256), which
keeps lock files and index hashes stable across runs.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

WHEEL_TAG = "py3-none-any"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644 << 16


def normalize_dist(name: str) -> str:
    """Return *name* in the form the wheel spec uses in file names.

    Runs of ``-``, ``_`` and ``.`` become one ``_`` and the name is lowercased
    (``Parity-App`` -> ``parity_app``).
    """
    return re.sub(r"[-_.]+", "_", name).lower()


def gather(folder: Path, wheels: Iterable[Path]) -> Path:
    """`folder`, created, holding each of `wheels`: hard-linked on one file system, else copied."""
    folder.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        if wheel.stat().st_dev == folder.stat().st_dev:
            os.link(wheel, folder / wheel.name)
        else:
            shutil.copy(wheel, folder)
    return folder


def wheel_filename(name: str, version: str) -> str:
    """Return the file name ``build_wheel`` uses for *name* and *version*."""
    return f"{normalize_dist(name)}-{version}-{WHEEL_TAG}.whl"


def build_wheel(
    dest_dir: Path,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    modules: Mapping[str, str] | None = None,
) -> Path:
    """Write a pure-Python ``py3-none-any`` wheel into *dest_dir* and return its path.

    The wheel holds a top-level module named after the distribution
    (``normalize_dist(name) + ".py"``) that defines ``__version__``.
    *requires* become ``Requires-Dist`` lines (PEP 508 strings, markers
    allowed) and *requires_python* the ``Requires-Python`` field.
    *modules* maps extra archive paths (e.g. ``"pkg/__init__.py"``) to their
    source text; an entry for the default module's path replaces it.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    dist = normalize_dist(name)
    dist_info = f"{dist}-{version}.dist-info"
    members = sorted(_payload(dist, version, modules).items())
    members.append((f"{dist_info}/METADATA", _metadata(name, version, requires, requires_python)))
    members.append((f"{dist_info}/WHEEL", _wheel_file()))
    record_name = f"{dist_info}/RECORD"
    members.append((record_name, _record(members, record_name)))
    path = dest_dir / wheel_filename(name, version)
    _write_zip(path, members)
    return path


def _payload(dist: str, version: str, modules: Mapping[str, str] | None) -> dict[str, bytes]:
    files = {f"{dist}.py": f'"""Test distribution {dist}."""\n__version__ = "{version}"\n'.encode()}
    for arcname, source in (modules or {}).items():
        files[arcname] = source.encode()
    return files


def _metadata(name: str, version: str, requires: Sequence[str], requires_python: str | None) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines.append(f"Summary: Test distribution {name} {version}")
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {req}" for req in requires)
    return ("\n".join(lines) + "\n").encode()


def _wheel_file() -> bytes:
    lines = [
        "Wheel-Version: 1.0",
        "Generator: devkit-tests",
        "Root-Is-Purelib: true",
        f"Tag: {WHEEL_TAG}",
    ]
    return ("\n".join(lines) + "\n").encode()


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _record(members: Sequence[tuple[str, bytes]], record_name: str) -> bytes:
    rows = [f"{arc},{_record_hash(data)},{len(data)}" for arc, data in members]
    rows.append(f"{record_name},,")
    return ("\n".join(rows) + "\n").encode()


def _write_zip(path: Path, members: Sequence[tuple[str, bytes]]) -> None:
    """Write *members* in the given order (payload first, dist-info last, RECORD last)."""
    with zipfile.ZipFile(path, "w") as archive:
        for arcname, data in members:
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = _FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
