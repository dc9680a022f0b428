"""`devkit init`: adopt devkit in an existing Poetry or uv project."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devkit.adopt.plan import Plan

DESCRIPTION = """\
Adopt devkit in the project around the current folder (Poetry or uv), changing only what
it must, with comments and layout kept (but for .pre-commit-config.yaml):

  pyproject.toml  devkit-toolchain in the dev group (>=X.Y of this devkit, or --from),
                  the pins of the tools devkit provides removed, [tool.devkit] python set
                  to the newest installed Python both requires-python and devkit admit
  lint.toml       each tool's settings, from where it read them (pyproject.toml tables,
                  mypy.ini, setup.cfg and tox.ini sections, .coveragerc, ruff.toml,
                  pytest.ini; those files or sections go); on adoption, the tools'
                  defaults where devkit's baseline differs, marked "as before devkit"
  Makefile        devkit's bootstrap and include, the project's own targets kept
  .pre-commit-config.yaml
                  devkit's hooks (run from .venv) in place of ruff-pre-commit's and
                  mirrors-mypy's; rewritten, so its comments are not kept
  .gitlab-ci.yml  a hand-written one moved to .gitlab-ci.local.yml, which the file
                  `devkit ci render` writes includes; job names that clash are named
  .gitignore      .venv/, .devkit/, .cache/ and dist/ added when missing
  .vscode/settings.json
                  the interpreter, ruff, mypy and pytest settings (with a .vscode folder)

Every file is written whole or not at all; nothing needs the network. A second run
changes nothing. Then lock, `make sync`, `make hooks` and `devkit ci render` (the last
lines say how).
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init",
        help="adopt devkit in an existing Poetry or uv project",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--from",
        dest="spec",
        metavar="SPEC",
        help="where the project takes devkit from: a folder (a path dependency) or git+URL[@REF]; "
        "default: devkit-toolchain>=X.Y of this devkit",
    )
    parser.add_argument("--dry-run", action="store_true", help="print a diff per file it would change; write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env.project import find_root

    root = find_root(Path.cwd())
    plan, poetry, render = _plan(root, args.spec)
    for note in plan.notes:
        print(note)
    if not plan.edits:
        print("nothing to change: devkit is adopted here")
        return 0
    if args.dry_run:
        print("".join(edit.diff(root) for edit in plan.edits), end="")
        print("dry run: nothing written")
        return 0
    plan.write()
    _report(root, "wrote", [edit.path for edit in plan.edits if edit.new is not None])
    _report(root, "removed", [edit.path for edit in plan.edits if edit.new is None])
    lock = "poetry lock" if poetry else "uv lock"
    print(f"next: {lock}, then `make sync` and `make hooks`" + (", then `devkit ci render`" if render else ""))
    return 0


def _report(root: Path, verb: str, paths: list[Path]) -> None:
    if paths:
        print(f"{verb} {', '.join(path.relative_to(root).as_posix() for path in paths)}")


def _plan(root: Path, spec: str | None) -> tuple[Plan, bool, bool]:
    import tomlkit

    from devkit.adopt import dev_group, gitignore, gitlab_ci, lint, makefile, pre_commit, python, versions, vscode
    from devkit.adopt.plan import Plan, read
    from devkit.env import interpreter
    from devkit.files import toml_file

    pyproject = root / "pyproject.toml"
    text = read(pyproject) or ""
    toml_file.loads(text, pyproject)  # a syntax error is named with its line first
    document = tomlkit.parse(text)
    plan = Plan(root)
    poetry = dev_group.is_poetry(root, document)
    floor = interpreter.admits_older_than_devkit(document.unwrap())
    adopting = not dev_group.present(document)
    plan.notes += dev_group.add_devkit(document, dev_group.source(spec, root), poetry=poetry, floor=floor)
    lint.plan(plan, document, adopting=adopting)
    addition, notes = python.setting(document, root)
    plan.notes += notes
    plan.change(pyproject, python.appended(lint.document_text(document), addition))
    makefile.plan(plan, root / "Makefile", root.name)
    pre_commit.plan(plan, root / pre_commit.FILE)
    render = gitlab_ci.plan(plan, root)
    gitignore.plan(plan, root / gitignore.FILE)
    vscode.plan(plan, root / vscode.FILE)
    changed = versions.changes(root)
    if changed:
        plan.notes.append(
            f"devkit's tools replace the lock's: {', '.join(changed)}; "
            "a finding new after `make sync` may come from a new version"
        )
    return plan, poetry, render
