"""Releases: the project's version in pyproject.toml, git tags and built wheels."""
