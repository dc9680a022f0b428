"""The Docker client: `docker build` with BuildKit, and commands run inside an image.

The client is `docker` from PATH, or the one `DEVKIT_DOCKER` names (a client with BuildKit
built in: Docker 23 and later need the buildx plugin for it). A package index the build
needs comes from `PIP_INDEX_URL` / `PIP_EXTRA_INDEX_URL` (credentials included) and reaches
the build as a secret pip.conf, never as a build argument or a layer; `PIP_CERT` (the CA
bundle of a company index) comes along as a second secret.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from devkit.errors import DevkitError

INDEX_VARIABLES = {"PIP_INDEX_URL": "index-url", "PIP_EXTRA_INDEX_URL": "extra-index-url"}
CERT_SECRET = "/run/secrets/pip-cert"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def client() -> str:
    """The docker client to run: `DEVKIT_DOCKER`, else `docker` from PATH."""
    import shutil

    chosen = os.environ.get("DEVKIT_DOCKER") or "docker"
    found = shutil.which(chosen)
    if found is None:
        raise DevkitError(f"{chosen} not found: install Docker, or set DEVKIT_DOCKER to the docker client to use")
    return found


def pip_conf(environ: Mapping[str, str]) -> str | None:
    """A pip.conf carrying the index settings of `environ`, or None when it sets none."""
    lines = [f"{key} = {environ[name]}" for name, key in INDEX_VARIABLES.items() if environ.get(name)]
    lines += [f"cert = {CERT_SECRET}"] if environ.get("PIP_CERT") else []
    for line in lines:
        if "\n" in line or "\r" in line:
            raise DevkitError("PIP_INDEX_URL / PIP_EXTRA_INDEX_URL must be URLs on one line")
    return "[global]\n" + "\n".join(lines) + "\n" if lines else None


def needs_host_network(environ: Mapping[str, str]) -> bool:
    """True when an index is on this machine's loopback, which the build reaches only from the host network."""
    urls = " ".join(environ.get(name, "") for name in INDEX_VARIABLES).split()
    return any(urlsplit(url).hostname in _LOOPBACK for url in urls)


def build(root: Path, target: str, tags: Sequence[str], build_args: Mapping[str, str]) -> None:
    """`docker build` of `target` from `root`'s Dockerfile, tagged with every one of `tags`."""
    from devkit.env import programs

    command = [client(), "build", "--file", str(root / "Dockerfile"), "--target", target]
    command += [argument for tag in tags for argument in ("--tag", tag)]
    command += [argument for name, value in build_args.items() for argument in ("--build-arg", f"{name}={value}")]
    command += ["--network", "host"] if needs_host_network(os.environ) else []
    settings = pip_conf(os.environ)
    env = programs.child_env(DOCKER_BUILDKIT="1")
    advice = "fix the cause and run it again (a client without BuildKit? see DEVKIT_DOCKER in README)"
    with tempfile.TemporaryDirectory(prefix="devkit-image-") as secrets:
        if settings is not None:
            conf = Path(secrets) / "pip.conf"
            conf.touch(mode=0o600)
            conf.write_text(settings, encoding="utf-8")
            command += ["--secret", f"id=pip.conf,src={conf}"]
        command += _cert_secret(os.environ)
        programs.run([*command, "--", str(root)], cwd=root, env=env, what=f"docker build of {target}", advice=advice)


def _cert_secret(environ: Mapping[str, str]) -> list[str]:
    """The `--secret` of the CA bundle `PIP_CERT` names, checked to be a readable file."""
    cert = environ.get("PIP_CERT")
    if not cert:
        return []
    if not Path(cert).is_file() or not os.access(cert, os.R_OK):
        raise DevkitError(f"PIP_CERT names {cert}, which is not a readable file: point it at the index's CA bundle")
    return ["--secret", f"id=pip-cert,src={cert}"]
