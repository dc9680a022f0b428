""".pre-commit-config.yaml: devkit's hooks, run from .venv, in place of the ones they cover.

No config: devkit's local one (the shipped `hooks/pre-commit-config.local.yaml`). An
existing one gets devkit's `repo: local` block at the end, and loses the hooks devkit's
cover (ruff-pre-commit's ruff hooks, mirrors-mypy's mypy; a repo left with no hook goes);
other repos and hooks stay in order. The file is rewritten with PyYAML, which keeps no
comments: the report says so. A config with any of devkit's hooks is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devkit import resources
from devkit.adopt.plan import Plan, read
from devkit.errors import DevkitError
from devkit.files import yaml_file

FILE = ".pre-commit-config.yaml"
LOCAL_CONFIG = "hooks/pre-commit-config.local.yaml"
# The hooks devkit-lint covers, by repository (owner/name of its URL).
COVERED = {
    "astral-sh/ruff-pre-commit": frozenset({"ruff", "ruff-check", "ruff-format"}),
    "charliermarsh/ruff-pre-commit": frozenset({"ruff", "ruff-check", "ruff-format"}),
    "pre-commit/mirrors-mypy": frozenset({"mypy"}),
}


def local_config() -> str:
    """The shipped config whose hooks run devkit from .venv."""
    return resources.shipped(LOCAL_CONFIG).read_text(encoding="utf-8")


def plan(plan: Plan, path: Path) -> None:
    """Add the config's edit (if any) and a line per hook it removes."""
    current = read(path)
    if current is None:
        plan.change(path, local_config())
        plan.notes.append(f"{FILE}: devkit's hooks, run from .venv")
        return
    config = _config(yaml_file.loads(current, path), path)
    devkits = yaml_file.loads(local_config(), path)
    assert isinstance(devkits, dict)
    block = devkits["repos"][0]
    ids = {hook["id"] for hook in block["hooks"]}
    if any(hook.get("id") in ids for repo in config["repos"] for hook in _hooks(repo)):
        return
    repos, notes = _without_covered(config["repos"])
    notes += _direct_runs(repos)
    config["repos"] = [*repos, block]
    for key in ("default_install_hook_types", "minimum_pre_commit_version"):
        config.setdefault(key, devkits[key])
    plan.change(path, yaml_file.dumps(config))
    plan.notes.append(f"{FILE}: devkit's hooks added as a `repo: local` block, run from .venv")
    plan.notes += notes
    plan.notes.append(f"{FILE}: rewritten with PyYAML: its comments are not kept")


def _config(data: object, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("repos"), list):
        raise DevkitError(f"{path} has no `repos:` list: fix it and run `devkit init` again")
    for repo in data["repos"]:
        if not isinstance(repo, dict) or not isinstance(repo.get("hooks", []), list):
            raise DevkitError(f"{path} has a repo that is not a mapping with a `hooks:` list: fix it and run again")
    return data


def _hooks(repo: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [hook for hook in repo.get("hooks", []) if isinstance(hook, Mapping)]


def _without_covered(repos: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The repos without the hooks devkit's cover, and a line per removed hook."""
    kept, notes = [], []
    for repo in repos:
        name = _name(str(repo.get("repo", "")))
        covered = COVERED.get(name, frozenset())
        removed = [hook for hook in _hooks(repo) if hook.get("id") in covered]
        notes += [f"{FILE}: removed {name}'s {hook['id']} hook: devkit-lint runs it from .venv" for hook in removed]
        if not removed:
            kept.append(repo)
            continue
        hooks = [hook for hook in repo["hooks"] if not any(hook is gone for gone in removed)]
        if hooks:
            kept.append({**repo, "hooks": hooks})
        else:
            notes.append(f"{FILE}: removed the {name} repo: no hook of it is left")
    return kept, notes


# The tools whose settings devkit moves into lint.toml, as a local hook's entry may run them.
_TOOLS = frozenset({"ruff", "mypy", "pytest", "coverage"})
_RUNNERS = (("poetry", "run"), ("uv", "run"), ("python", "-m"), ("python3", "-m"))


def _direct_runs(repos: list[dict[str, Any]]) -> list[str]:
    """A line per local hook that runs ruff, mypy, pytest or coverage itself, left as it was."""
    notes = []
    for repo in repos:
        if repo.get("repo") != "local":
            continue
        for hook in _hooks(repo):
            tool = _tool(str(hook.get("entry", "")))
            if tool is not None:
                notes.append(
                    f"{FILE}: the local hook {hook.get('id')!r} runs {tool} itself, which no longer finds the "
                    "settings moved into lint.toml: remove it (devkit's hooks run the same checks) or make its "
                    "entry `.venv/bin/devkit run STAGE`"
                )
    return notes


def _tool(entry: str) -> str | None:
    words = entry.split()
    for runner in _RUNNERS:
        if tuple(words[: len(runner)]) == runner:
            words = words[len(runner) :]
            break
    name = Path(words[0]).name if words else ""
    return name if name in _TOOLS else None


def _name(url: str) -> str:
    """owner/name of a repository URL."""
    parts = url.rstrip("/").removesuffix(".git").split("/")
    return "/".join(parts[-2:])
