""".vscode/settings.json: VS Code's Python, ruff, mypy and pytest extensions use devkit's .venv and config.

Only a project with a `.vscode` folder is touched. Its settings.json keeps every other
key; a file that is not plain JSON (VS Code also reads comments and trailing commas) is
left alone and the report says what to add by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

from devkit.adopt.plan import Plan, read
from devkit.checks.stages import LINT_CONFIG, RUFF_CONFIG

FILE = ".vscode/settings.json"
SETTINGS: dict[str, object] = {
    "python.defaultInterpreterPath": ".venv/bin/python",
    "ruff.configuration": RUFF_CONFIG,
    "mypy-type-checker.args": ["--config-file", LINT_CONFIG],
    "python.testing.pytestArgs": ["-c", LINT_CONFIG],
    "python.testing.pytestEnabled": True,
}


def plan(plan: Plan, path: Path) -> None:
    """Add the settings' edit (if any), or the line saying what to add by hand."""
    if not path.parent.is_dir():
        return
    current = read(path)
    try:
        data = {} if current is None else json.loads(current)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        wanted = json.dumps(SETTINGS)[1:-1]
        plan.notes.append(f"{FILE} is not plain JSON (comments or trailing commas?): left alone; add by hand: {wanted}")
        return
    changed = [key for key, value in SETTINGS.items() if data.get(key) != value]
    if not changed:
        return
    data.update(SETTINGS)
    plan.change(path, json.dumps(data, indent=4, ensure_ascii=False) + "\n")
    plan.notes.append(f"{FILE}: set {', '.join(changed)}")
