"""The rendered Dockerfile and .dockerignore: one Dockerfile, two targets.

`production` holds the lock's main group and the project's wheel, installed with
`--no-deps` into a venv without pip, byte-compiled at build time, run by a non-root user;
`test` holds main and the default groups, the wheel and the project's tests. Each image's
dependency layer is built from the lock's export alone (`.devkit/image/requirements-*.txt`,
written by `devkit image build`), so a change to the code rebuilds only the wheel's layer.

Package-index settings reach the build as secrets (a pip.conf and the index's CA bundle,
mounted for the install steps), never as a build argument or a layer. The project's own steps (system packages,
say) go in `Dockerfile.local`, which devkit places in the stage both images start from.
"""

from __future__ import annotations

import json
from pathlib import Path

from devkit.errors import DevkitError
from devkit.files import atomic
from devkit.image.settings import Image

DOCKERFILE = "Dockerfile"
DOCKERIGNORE = ".dockerignore"
LOCAL_FILE = "Dockerfile.local"
CONTEXT = ".devkit/image"
TARGETS = ("production", "test")
# The selection each target's dependency layer holds, named after its export file.
SELECTIONS = {"production": "main", "test": "test"}
VENV = "/opt/venv"
TOOLS = "/opt/devkit-tools"
USER = "10001:10001"

_HEADER = f"""\
# Rendered by `devkit image render` from pyproject.toml ([tool.devkit.image]): do not edit.
# The project's own build steps go in {LOCAL_FILE}; `devkit check` fails when this file is
# out of date. Build with `make image` / `make image-test` (`devkit image build TARGET`),
# which export the lock into {CONTEXT}/ and pass the wheel from dist/.
"""
# pip's settings for every install into the image's venv, as pip reads them from the environment.
_PIP_ENV = (
    f"PIP_PYTHON={VENV}/bin/python PIP_NO_DEPS=1 PIP_CONFIG_FILE=/run/secrets/pip.conf "
    "PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_WARN_SCRIPT_LOCATION=1"
)
_PIP = f"{TOOLS}/bin/python -m pip install"


def rendered(root: Path, image: Image) -> dict[Path, str]:
    """Each file `devkit image render` writes into the project at `root`, with its text."""
    local = root / LOCAL_FILE
    try:
        steps = local.read_bytes().decode("utf-8") if local.is_file() else ""
    except OSError as exc:
        raise atomic.failure(local, exc, what="read") from None
    except UnicodeDecodeError:
        raise DevkitError(f"{local} is not UTF-8 text: save it as UTF-8") from None
    return {root / DOCKERFILE: render(image, check_local_steps(steps)), root / DOCKERIGNORE: ignore(image)}


def render(image: Image, local_steps: str) -> str:
    """The Dockerfile for `image`, with the project's `local_steps` in the base stage."""
    parts = [_HEADER, _base(image, local_steps), _tools(), _deps("main"), _deps("test")]
    parts += [_production(image), _test()]
    return "\n".join(parts)


def check_local_steps(text: str) -> str:
    """`Dockerfile.local`'s instructions, refused when they would start or end a stage."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().split(" ", 1)[0].upper() in ("FROM", "ARG"):
            raise DevkitError(
                f"{LOCAL_FILE}:{number}: {line.split()[0]} is not allowed there: its steps run inside "
                "devkit's base stage; set the base image with [tool.devkit.image] base instead"
            )
    return text if text.endswith("\n") or not text else text + "\n"


def _base(image: Image, local_steps: str) -> str:
    steps = f"# From {LOCAL_FILE}:\n{local_steps}" if local_steps else f"# ({LOCAL_FILE} adds steps here.)\n"
    return f"""\
FROM {image.base} AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
{steps}\
# No installer in any image: the base image's own pip goes.
RUN if python3 -m pip --version >/dev/null 2>&1; then \\
      python3 -m pip uninstall --yes --quiet --disable-pip-version-check pip setuptools wheel; fi
"""


def _tools() -> str:
    return f"""\
# pip, from the interpreter's bundled copy, lives apart: the images' venvs never hold it.
FROM base AS tools
RUN python3 -m venv {TOOLS}
ENV {_PIP_ENV}
"""


def _deps(selection: str) -> str:
    return f"""\
# The {selection} dependencies: from the lock's export only, so a code change keeps this layer.
FROM tools AS deps-{selection}
COPY {CONTEXT}/requirements-{selection}.txt /tmp/requirements.txt
COPY {CONTEXT}/local-{selection}/ /tmp/local/
RUN --mount=type=secret,id=pip.conf --mount=type=secret,id=pip-cert --mount=type=cache,target=/root/.cache/pip \\
    python3 -m venv --without-pip {VENV} \\
 && {_PIP} --require-hashes --requirement /tmp/requirements.txt \\
 && if [ -n "$(ls /tmp/local)" ]; then {_PIP} /tmp/local/*.whl; fi
"""


def _wheel(selection: str) -> str:
    return f"""\
COPY --from=deps-{selection} {VENV} {VENV}
ARG WHEEL
RUN --mount=type=bind,source=dist,target=/tmp/dist --mount=type=bind,from=tools,source={TOOLS},target={TOOLS} \\
    test -n "$WHEEL" || {{ echo "build with devkit image build: it passes the wheel"; exit 1; }}; \\
    {_PIP_ENV} {_PIP} --no-index "/tmp/dist/$WHEEL" && {VENV}/bin/python -m compileall -q {VENV}
ENV PATH={VENV}/bin:$PATH VIRTUAL_ENV={VENV}
"""


def _production(image: Image) -> str:
    start = f"ENTRYPOINT {json.dumps(list(image.command))}" if image.command else 'CMD ["python3"]'
    return f"""\
# The production image: main group and the wheel, nothing else; read-only friendly.
FROM base AS production
{_wheel("main")}USER {USER}
{start}
"""


def _test() -> str:
    return f"""\
# The test image: main and dev groups, the wheel, and the tests run against the installed wheel.
FROM base AS test
{_wheel("test")}WORKDIR /project
COPY --chown={USER} . /project
USER {USER}
CMD ["pytest", "-c", ".devkit/lint.toml", "--rootdir=.", "--import-mode=append", "-p", "no:cacheprovider"]
"""


def ignore(image: Image) -> str:
    """`.dockerignore`: what neither image needs, plus the project's own patterns."""
    lines = [
        "# Rendered by `devkit image render`: do not edit; add patterns with [tool.devkit.image] ignore.",
        "# `devkit check` fails when this file is out of date.",
        ".git",
        ".venv",
        ".cache",
        "**/__pycache__",
        "**/*.py[co]",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".coverage*",
        "build",
        "dist/*",
        "!dist/*.whl",
        ".devkit/*",
        "!.devkit/lint.toml",
        f"!{CONTEXT}",
        *image.ignore,
    ]
    return "\n".join(lines) + "\n"
