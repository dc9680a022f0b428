"""The cache key GitLab computes for `cache: key: files: [...]`, computed locally.

GitLab takes the git blob id of each listed file at the pipeline's commit, drops missing
files, sorts and de-duplicates the ids, joins them with "-" and takes the SHA-1 of that;
with no file present the digest is "default". The key is "PREFIX-DIGEST", or the digest
alone without a prefix.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable
    from hashlib import sha1 as sha1
    from pathlib import Path
else:
    try:  # CPython's own SHA-1: hashlib loads OpenSSL first, about 3 ms on every hook and make target
        from _sha1 import sha1
    except ImportError:  # an interpreter built without it
        from hashlib import sha1

DEFAULT = "default"


def blob_id(data: bytes) -> str:
    """The id git gives a blob with these bytes (`git hash-object`)."""
    header = b"blob %d\0" % len(data)
    return sha1(header + data, usedforsecurity=False).hexdigest()


def digest(files: Iterable[str | os.PathLike[str]]) -> str:
    """The digest part of the key, from the files as they are in the working tree."""
    ids: set[str] = set()
    for path in files:
        try:
            with open(path, "rb") as handle:
                ids.add(blob_id(handle.read()))
        except FileNotFoundError:
            continue
    if not ids:
        return DEFAULT
    joined = "-".join(sorted(ids))
    return sha1(joined.encode(), usedforsecurity=False).hexdigest()


def key(files: Iterable[Path], prefix: str = "") -> str:
    """The full cache key: "PREFIX-DIGEST", or the digest when there is no prefix."""
    return "-".join(part for part in (prefix, digest(files)) if part)


def differs_from_head(root: Path, files: Iterable[Path]) -> list[str]:
    """Which of `files` differ from HEAD (CI keys on the commit, not the working tree).

    Returns an empty list outside a git repository. Inside one, raises DevkitError when
    git cannot answer (git missing, a corrupt index, a repository git refuses to read).
    """
    import subprocess

    from devkit.errors import DevkitError

    if not any((folder / ".git").exists() for folder in (root, *root.parents)):
        return []
    names = [str(path.relative_to(root)) for path in files]
    command = ["git", "status", "--porcelain", "--", *names]
    try:
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DevkitError("git is not installed") from None
    if result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise DevkitError(f"`git status` failed in {root}: {reason[0]}")
    return sorted({line[3:].strip() for line in result.stdout.splitlines() if line.strip()})
