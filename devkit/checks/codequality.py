"""GitLab code-quality issues from the JSON that ruff and mypy print.

GitLab's format is a JSON array of objects with `description`, `check_name`,
`fingerprint`, `severity` (info, minor, major, critical, blocker) and `location` (`path`
relative to the project, `lines.begin`). GitLab keeps one issue per fingerprint and
compares them between the branches of a merge request, so a fingerprint must be unique
within a report and stay the same while the code around the finding moves: it hashes the
check, the path, the message and which occurrence of that message in that file it is,
never the line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

# A tool's severity word, as GitLab ranks it.
SEVERITIES = {"error": "major", "warning": "minor", "note": "info", "info": "info"}


class Finding(NamedTuple):
    """One finding of a tool, at `line` of `path` (relative to the project root)."""

    tool: str
    code: str
    path: str
    line: int
    message: str
    severity: str


def from_ruff(output: str, root: Path, tool: str = "ruff") -> list[Finding]:
    """The findings in `ruff check|format --output-format json` output; ValueError when it is not that."""
    entries = json.loads(output)
    if not isinstance(entries, list):
        raise ValueError("not a JSON array")
    return [_ruff_finding(_mapping(entry), root, tool) for entry in entries]


def _ruff_finding(entry: Mapping[str, object], root: Path, tool: str) -> Finding:
    location = _mapping(entry.get("location"))
    code = entry.get("code") or entry.get("name") or "syntax-error"  # ruff gives a syntax error no code
    return Finding(
        tool=tool,
        code=_text(code),
        path=relative(root, _text(entry.get("filename"))),
        line=_line(location.get("row")),
        message=_text(entry.get("message")),
        severity=SEVERITIES.get(str(entry.get("severity", "error")), "major"),
    )


def from_mypy(output: str, root: Path) -> list[Finding]:
    """The findings in `mypy --output json` output (one object a line); ValueError when it is not that."""
    return [_mypy_finding(_mapping(json.loads(line)), root) for line in output.splitlines() if line.strip()]


def _mypy_finding(entry: Mapping[str, object], root: Path) -> Finding:
    message, hint = _text(entry.get("message")), entry.get("hint")
    return Finding(
        tool="mypy",
        code=_text(entry.get("code") or "misc"),
        path=relative(root, _text(entry.get("file"))),
        line=_line(entry.get("line")),
        message=f"{message}\n{_text(hint)}" if hint else message,
        severity=SEVERITIES.get(str(entry.get("severity", "error")), "major"),
    )


def issues(findings: Iterable[Finding]) -> list[dict[str, object]]:
    """GitLab's code-quality objects for `findings`, each with its fingerprint."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    result: list[dict[str, object]] = []
    for finding in findings:
        key = (finding.tool, finding.code, finding.path, finding.message)
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(seen[key])]).encode()).hexdigest()
        result.append(
            {
                "description": f"{finding.tool}: {finding.message} [{finding.code}]",
                "check_name": f"{finding.tool}/{finding.code}",
                "fingerprint": digest[:32],
                "severity": finding.severity,
                "location": {"path": finding.path, "lines": {"begin": finding.line}},
            }
        )
    return result


def relative(root: Path, name: str) -> str:
    """`name` as a POSIX path relative to `root` when it lies inside it, else as given."""
    path = Path(name)
    absolute = path if path.is_absolute() else root / path
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {value!r:.60}")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r:.60}")
    return value


def _line(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected a line number, got {value!r:.60}")
    return max(value, 1)
