"""The check reports as GitLab reads them, and the findings a service is seeded with to fill them.

The seeds, each at a known line: an unused import (ruff F401, line 3) and a wrong return
type (mypy return-value, line 8) in PACKAGE/messy.py, a module ruff format would change
(PACKAGE/layout.py, from line 3), and a failing test (tests/test_failing.py, line 5).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.support.proc import run
from tests.support.service import write

# GitLab's code-quality format, as its documentation describes a report: an array of
# issues, each with these keys; severity one of GitLab's five.
CODEQUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
MESSY = '"""Seeded findings."""\n\nimport os\n\n\ndef label(value: int) -> str:\n    """Return a label."""\n    return value\n'
UNFORMATTED = '"""Formatting."""\n\nVALUES = [1,\n  2]\n'
FAILING_TEST = 'from {package}.messy import label\n\n\ndef test_label_of_three() -> None:\n    assert label(3) == "3"\n'
FAILING = "test_label_of_three"


def seed(root: Path, package: str) -> None:
    """Write the seeded findings into the service at `root`, whose code is in `package`."""
    write(root, f"{package}/messy.py", MESSY)
    write(root, f"{package}/layout.py", UNFORMATTED)
    write(root, "tests/test_failing.py", FAILING_TEST.format(package=package))


def codequality(path: Path) -> list[dict[str, object]]:
    """The issues of a code-quality report, after checking it against GitLab's format."""
    schema = path.parent.parent / "codequality-schema.json"
    schema.write_text(json.dumps(CODEQUALITY_SCHEMA))
    checked = run([Path(sys.executable).parent / "check-jsonschema", "--schemafile", schema, path], cwd=path.parent)
    assert "validation done" in checked.stdout
    issues: list[dict[str, object]] = json.loads(path.read_text())
    return issues


def places(issues: list[dict[str, object]]) -> set[tuple[object, object, object]]:
    """(check_name, path, line) of every issue."""
    found = set()
    for issue in issues:
        location = issue["location"]
        assert isinstance(location, dict)
        found.add((issue["check_name"], location["path"], location["lines"]["begin"]))
    return found


def junit_cases(path: Path) -> dict[str | None, ET.Element]:
    """The test cases of a JUnit report, by name."""
    return {case.get("name"): case for case in ET.parse(path).getroot().iter("testcase")}


def cobertura(path: Path) -> ET.Element:
    """The root of a Cobertura report, after checking it is Cobertura's, with a line rate."""
    coverage = ET.parse(path).getroot()
    assert coverage.tag == "coverage"
    assert 0 < float(coverage.get("line-rate", "0")) <= 1
    return coverage
