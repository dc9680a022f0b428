"""The build context both images need, prepared before `docker build` runs.

`.devkit/image/requirements-main.txt` and `-test.txt` hold the lock's export for each
image (written only when their content changes, so Docker keeps the dependency layers),
`local-main/` and `local-test/` the wheels of packages the lock takes from a local folder,
and `.devkit/lint.toml` the pytest settings the test image runs with. The project's own
wheel comes from dist/, built once (`devkit run build`, or CI's `build:wheel` artifact).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from devkit.env.project import Project
from devkit.env.stamp import Request
from devkit.errors import DevkitError
from devkit.files import atomic
from devkit.image.dockerfile import CONTEXT

# Each image's selection: production the main group only, test what a plain sync installs.
REQUESTS = {"main": Request(only=("main",), root=False), "test": Request(root=False)}
# Wheels of local packages built with fixed timestamps: the same source, the same bytes.
_EPOCH = "315532800"


def prepare(project: Project, selection: str) -> Path:
    """Write the export and local wheels of `selection` (main or test); return the context folder."""
    from devkit.env import export

    folder = project.root / CONTEXT
    atomic.make_folder(folder)
    exported = export.export(project, REQUESTS[selection])
    unhashed = [line for line in exported.lines if "--hash=" not in line]
    if unhashed:
        raise DevkitError(
            f"{unhashed[0].split(' ', 1)[0]} has no hash in {project.lock_name}: an image installs hashed "
            "packages only; take it from a package index, or build it into a wheel the lock records"
        )
    text = f"# Exported by `devkit image build` from {project.lock_name}: {selection}.\n"
    text += "".join(line + "\n" for line in exported.lines)
    atomic.write_text_if_changed(folder / f"requirements-{selection}.txt", text)
    _local_wheels(project, folder / f"local-{selection}", [path for _, path in exported.local])
    return folder


def _local_wheels(project: Project, target: Path, sources: list[Path]) -> None:
    """`target` holding exactly the wheels of `sources`, built with uv."""
    from devkit.env import programs

    if not sources:
        if target.is_dir() and not any(target.iterdir()):
            return
        shutil.rmtree(target, ignore_errors=True)
        atomic.make_folder(target)
        return
    uv = programs.find("uv")
    if uv is None:
        raise DevkitError("uv not found: it builds the wheels of the lock's local packages; run `devkit sync`")
    built = Path(tempfile.mkdtemp(prefix=".local-", dir=target.parent))
    try:
        env = programs.child_env(SOURCE_DATE_EPOCH=_EPOCH)
        for source in sources:
            command: list[str | Path] = [uv, "build", "--wheel", "--quiet", "--out-dir", built, "--", source]
            what = f"building the wheel of {source}"
            programs.run(command, cwd=project.root, env=env, what=what, advice="fix it, then build the image again")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(built, target)
    finally:
        shutil.rmtree(built, ignore_errors=True)


def wheel(project: Project, name: str, version: str) -> Path:
    """The project's wheel in dist/ at `version` (pyproject's): exactly one, or a DevkitError."""
    from devkit.env.names import canonical
    from devkit.release import wheels

    current = wheels.normalised(version)
    found = [
        path
        for path, built in wheels.versions(project.root / "dist")
        if canonical(path.name.split("-", 1)[0]) == canonical(name) and wheels.normalised(built) == current
    ]
    if not found:
        raise DevkitError(
            f"no wheel of {name} {current} in dist/: run `devkit run build` first (`make image` does; "
            "in CI the build:wheel job's artifact brings it)"
        )
    if len(found) > 1:
        raise DevkitError(f"more than one wheel of {name} {current} in dist/: {', '.join(p.name for p in found)}")
    return found[0]
