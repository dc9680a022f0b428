"""`devkit image`: the rendered Dockerfile, built by a real Docker engine.

The engine is the one `DEVKIT_DOCKER` names (`bash .ci/run` starts it, and makes the base
image `python:3.11-slim` from Debian's packages, since no image can be pulled here). The
images install from the session's loopback index, as a company index would serve them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import BASE_IMAGE, SessionCaches, isolate
from tests.support.proc import run
from tests.support.projects import EXAMPLE_WHEELS_MISSING, copy_example, link_checkout, without_images

DEVKIT = [sys.executable, "-m", "devkit"]
WHEEL = "ml_service-0.1.0-py3-none-any.whl"


def name_images(project: Path) -> str:
    """Give `project`'s images a name of their own (tests share one engine); return it."""
    name = f"devkit-test-{uuid.uuid4().hex[:12]}"
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("[tool.devkit.image]", f'[tool.devkit.image]\nname = "{name}"', 1))
    run([*DEVKIT, "image", "render"], cwd=project)
    return name


def remove_images(docker: str, name: str) -> None:
    listed = run([docker, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", name], cwd=Path.cwd()).stdout
    if listed.split():
        run([docker, "image", "rm", "--force", *listed.split()], cwd=Path.cwd())


def in_image(docker: str, image: str, *args: str, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run `image` with `args` as production runs it: read-only, no network, with more `options`."""
    argv = [docker, "run", "--rm", "--read-only", "--network", "none", *options, image, *args]
    return run(argv, cwd=Path.cwd(), check=False)


def layers(docker: str, image: str) -> list[str]:
    return list(json.loads(run([docker, "image", "inspect", image], cwd=Path.cwd()).stdout)[0]["RootFS"]["Layers"])


def step_of(output: str, stage: str) -> str:
    """What BuildKit's plain output says of `stage`'s RUN step: CACHED, or what it printed."""
    number = re.search(rf"^#(\d+) \[{re.escape(stage)} [0-9/]+\] RUN ", output, re.MULTILINE)
    assert number, output
    return "\n".join(line for line in output.splitlines() if line.startswith(f"#{number[1]} "))


def build_wheel(project: Path) -> None:
    run(["uv", "build", "--wheel", "--quiet", "--out-dir", "dist", "."], cwd=project)


# Run by the test image beside the example's own tests: pytest imports the installed wheel.
INSTALLED_WHEEL_TEST = """\
import ml_service


def test_the_code_under_test_is_the_installed_wheel() -> None:
    assert ml_service.__file__ == "/opt/venv/lib/python3.11/site-packages/ml_service/__init__.py"
"""


class Example:
    """The example service with both images built and audited by `make image image-test audit`."""

    def __init__(self, project: Path, name: str, made: str) -> None:
        self.project = project
        self.name = name
        self.made = made


@pytest.fixture(scope="module")
def example(
    tmp_path_factory: pytest.TempPathFactory,
    wheelhouse: Path,
    index_url: str,
    session_caches: SessionCaches,
    docker: str,
) -> Iterator[Example]:
    if not any(wheelhouse.glob("numpy-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    project = copy_example(link_checkout(tmp_path_factory.mktemp("image-example") / "devkit-checkout"))
    with pytest.MonkeyPatch.context() as monkeypatch:  # module fixtures run before the per-test isolation
        isolate(monkeypatch, tmp_path_factory.mktemp("image-home"), session_caches)
        monkeypatch.setenv("UV_DEFAULT_INDEX", index_url)
        monkeypatch.setenv("PIP_INDEX_URL", index_url)
        name = name_images(project)
        (project / "tests/test_installed_wheel.py").write_text(INSTALLED_WHEEL_TEST)
        made = run(["make", "image", "image-test", "audit"], cwd=project)
    yield Example(project, name, made.stdout + made.stderr)
    remove_images(docker, name)


@pytest.fixture
def built(example: Example, index_url: str, monkeypatch: pytest.MonkeyPatch) -> Example:
    monkeypatch.setenv("UV_DEFAULT_INDEX", index_url)
    monkeypatch.setenv("PIP_INDEX_URL", index_url)
    return example


def test_the_production_image_answers_read_only_without_network(built: Example, docker: str) -> None:
    data = built.project / "data"

    helped = in_image(docker, f"{built.name}:latest", "--help")
    scored = in_image(docker, f"{built.name}:0.1.0", "score", "/data/sample.json", options=("-v", f"{data}:/data:ro"))

    assert helped.returncode == 0, helped.stderr
    assert "Churn scoring for the customer base." in helped.stdout
    assert scored.returncode == 0, scored.stderr
    assert re.fullmatch(r"(c\d\d\t[01]\.\d{3}\n)+", scored.stdout)


PROBE = """\
import importlib.metadata, os, pathlib, shutil, sys
import ml_service
print(os.getuid(), os.getgid())
print(sys.prefix)
print(pathlib.Path(ml_service.__file__).parent)
print(sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()))
print([tool for tool in ("pip", "pip3", "uv", "poetry", "pytest") if shutil.which(tool)])
print(sorted(p.name for p in pathlib.Path(ml_service.__file__).parent.glob("__pycache__/*.pyc")))
"""


def test_the_production_image_holds_the_main_group_and_the_wheel_only(built: Example, docker: str) -> None:
    result = in_image(docker, f"{built.name}:latest", "-c", PROBE, options=("--entrypoint", "python3"))

    assert result.returncode == 0, result.stderr
    user, prefix, package, installed, tools, compiled = result.stdout.splitlines()
    assert user == "10001 10001"
    assert prefix == "/opt/venv"
    assert package == "/opt/venv/lib/python3.11/site-packages/ml_service"
    assert installed == str(["click==8.5.1", "ml-service==0.1.0", "numpy==2.4.6"])
    assert tools == "[]"
    assert compiled == str(sorted(f"{module}.cpython-311.pyc" for module in ("__init__", "cli", "features", "model")))


def test_the_production_image_holds_no_source_tree(built: Example, docker: str) -> None:
    listing = "import pathlib; print(sorted(str(p) for p in pathlib.Path('/').glob('*/ml_service')))"

    result = in_image(docker, f"{built.name}:latest", "-c", listing, options=("--entrypoint", "python3"))

    assert result.stdout == "[]\n"


def test_the_test_image_ran_the_tests_against_the_installed_wheel(built: Example) -> None:
    assert re.search(r"^tests/test_installed_wheel\.py \.", built.made, re.MULTILINE), built.made
    assert re.search(r"^=+ 6 passed in ", built.made, re.MULTILINE), built.made


def test_make_audit_finds_the_production_image_equal_to_the_lock(built: Example) -> None:
    assert "devkit: checked 2 packages of the lock's selection (groups main): none is denied\n" in built.made
    assert (
        f"devkit: the image {built.name}:latest holds exactly the lock's selection (groups main): 3 packages\n"
        in built.made
    )


def test_audit_of_the_test_image_against_the_main_group_names_what_is_extra(built: Example) -> None:
    result = run([*DEVKIT, "audit", "--image", f"{built.name}:test"], cwd=built.project, check=False)

    assert result.returncode == 1
    assert "extra: ipykernel 7.4.0\n" in result.stdout
    assert "extra: devkit-toolchain 0.1.0\n" in result.stdout
    assert result.stderr.startswith(f"devkit: error: the image {built.name}:test differs from the lock's selection")


def test_audit_of_the_test_image_with_the_dev_group_is_equal(built: Example) -> None:
    result = run([*DEVKIT, "audit", "--image", f"{built.name}:test", "--with", "dev"], cwd=built.project)

    assert result.stdout == ""
    assert result.stderr.startswith(f"devkit: the image {built.name}:test holds exactly the lock's selection")


def test_audit_of_an_image_the_engine_lacks_says_to_build_it(built: Example) -> None:
    result = run([*DEVKIT, "audit", "--image", f"{built.name}:missing"], cwd=built.project, check=False)

    assert (result.returncode, result.stderr) == (
        1,
        f"devkit: error: no image {built.name}:missing in the Docker engine: build it first (`make image`), "
        "or pull it\n",
    )


def test_a_failing_test_fails_devkit_image_test(built: Example, docker: str) -> None:
    failing = built.project / "tests/test_failing.py"
    failing.write_text("def test_fails() -> None:\n    assert 1 == 2\n")
    try:
        result = run([*DEVKIT, "image", "test"], cwd=built.project, check=False)
    finally:
        failing.unlink()

    assert result.returncode == 1
    assert "1 failed, 6 passed" in result.stdout


def test_a_code_change_rebuilds_only_the_wheel_layer(built: Example, docker: str) -> None:
    before = layers(docker, f"{built.name}:latest")
    cli = built.project / "ml_service/cli.py"
    original = cli.read_text()
    revised = f"Churn scoring, revision {uuid.uuid4().hex}."  # new to the engine's build cache
    cli.write_text(original.replace("Churn scoring for the customer base.", revised))
    try:
        build_wheel(built.project)
        result = run([*DEVKIT, "image", "build", "production"], cwd=built.project)
        helped = in_image(docker, f"{built.name}:latest", "--help")
    finally:
        cli.write_text(original)
        build_wheel(built.project)

    after = layers(docker, f"{built.name}:latest")
    assert revised in helped.stdout
    assert after[:-1] == before[:-1]
    assert after[-1] != before[-1]
    assert step_of(result.stderr, "deps-main").endswith(" CACHED")
    assert "Successfully installed ml-service-0.1.0" in step_of(result.stderr, "production")


def test_a_lock_change_rebuilds_the_dependency_layer(built: Example, docker: str) -> None:
    before = layers(docker, f"{built.name}:latest")
    lock = built.project / "poetry.lock"
    original = lock.read_text()
    # One file fewer for click (its source archive): the same packages, another export.
    sdist = re.search(r'\{file = "click-8\.5\.1\.tar\.gz", hash = "[^"]+"\},?\n', original)
    assert sdist, "the example's lock records click's source archive"
    lock.write_text(original.replace(sdist[0], ""))
    try:
        run([*DEVKIT, "image", "build", "production", "--tag", f"{built.name}:lock-change"], cwd=built.project)
    finally:
        lock.write_text(original)

    after = layers(docker, f"{built.name}:lock-change")
    base = len(layers(docker, BASE_IMAGE))
    assert after[:base] == before[:base]
    assert after[base:] != before[base:]
    assert len(after) == len(before)


def test_index_credentials_and_ca_bundle_reach_no_layer(
    tmp_path: Path, built: Example, docker: str, index_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"token-{uuid.uuid4().hex}"
    monkeypatch.setenv("PIP_INDEX_URL", index_url.replace("http://", f"http://ci-user:{secret}@"))
    # A company index's CA bundle comes along as a secret too (pip reads it only for https).
    bundle = tmp_path / "company-ca.pem"
    ca_marker = f"company-ca-{uuid.uuid4().hex}"
    bundle.write_text(f"# {ca_marker}\n-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("PIP_CERT", str(bundle))
    lock = built.project / "poetry.lock"
    original = lock.read_text()
    # An export never built before, so that the dependency layer installs, through the credentials.
    wheel = re.search(r'\{file = "click-8\.5\.1-py3-none-any\.whl", hash = "sha256:[0-9a-f]+"\}', original)
    assert wheel
    unused = f'{{file = "click-0-py3-none-any.whl", hash = "sha256:{uuid.uuid4().hex * 2}"}}'
    lock.write_text(original.replace(wheel[0], f"{wheel[0]},\n    {unused}"))
    tag = f"{built.name}:credentials"
    try:
        result = run([*DEVKIT, "image", "build", "production", "--tag", tag], cwd=built.project)
    finally:
        lock.write_text(original)
    saved = tmp_path / "image.tar"
    run([docker, "image", "save", "--output", saved, tag], cwd=tmp_path)
    history = run([docker, "image", "history", "--no-trunc", tag], cwd=tmp_path).stdout

    assert "Successfully installed click-8.5.1 numpy-2.4.6" in step_of(result.stderr, "deps-main")
    image = saved.read_bytes()
    assert secret not in history
    assert secret.encode() not in image
    assert ca_marker.encode() not in image


# --- settings and usage: no engine needed ------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            'base = "python 3.11"',
            "base must be an image reference like python:3.11-slim, got 'python 3.11'",
        ),
        ('command = "serve"', "command must be a non-empty list of strings, got 'serve'"),
        ('name = "ML Service"', "name must be an image name: lowercase letters, digits, . _ -, got 'ML Service'"),
        ('ignore = ["!keep"]', "ignore must be a list of patterns without spaces, got ['!keep']"),
        ('bsae = "python:3.12-slim"', "bsae is not an image setting; the settings are base, command, name"),
    ],
)
def test_a_malformed_image_setting_is_one_line_naming_the_key(
    example_project: Path, setting: str, message: str
) -> None:
    pyproject = example_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.devkit.image]", f"[tool.devkit.image]\n{setting}", 1))
    before = (example_project / "Dockerfile").read_text()

    result = run([*DEVKIT, "image", "render"], cwd=example_project, check=False)

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("devkit: error: pyproject.toml: [tool.devkit.image]: "), line
    assert message in line
    assert line.endswith("fix it in pyproject.toml, then run `devkit image render`")
    assert (example_project / "Dockerfile").read_text() == before


def test_image_settings_reach_the_dockerfile_as_json_and_references(example_project: Path) -> None:
    pyproject = example_project / "pyproject.toml"
    settings = 'base = "registry.example.com:5000/base/python:3.11"\ncommand = ["ml-service", "score", "a \\"b\\""]'
    pyproject.write_text(pyproject.read_text().replace("[tool.devkit.image]", f"[tool.devkit.image]\n{settings}", 1))

    run([*DEVKIT, "image", "render"], cwd=example_project)

    dockerfile = (example_project / "Dockerfile").read_text()
    assert "\nFROM registry.example.com:5000/base/python:3.11 AS base\n" in dockerfile
    assert '\nENTRYPOINT ["ml-service", "score", "a \\"b\\""]\n' in dockerfile


def test_dockerfile_local_steps_go_into_the_base_stage(example_project: Path) -> None:
    (example_project / "Dockerfile.local").write_text("RUN echo project-step > /etc/project-step\n")

    run([*DEVKIT, "image", "render"], cwd=example_project)

    dockerfile = (example_project / "Dockerfile").read_text()
    base = dockerfile.split("\nFROM base AS tools\n")[0]
    assert "# From Dockerfile.local:\nRUN echo project-step > /etc/project-step\n" in base


def test_a_from_line_in_dockerfile_local_is_refused(example_project: Path) -> None:
    (example_project / "Dockerfile.local").write_text("RUN true\nfrom debian AS mine\n")

    result = run([*DEVKIT, "image", "render"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert result.stderr == (
        "devkit: error: Dockerfile.local:2: from is not allowed there: its steps run inside devkit's base stage; "
        "set the base image with [tool.devkit.image] base instead\n"
    )


def test_render_never_writes_over_a_hand_written_dockerfile(example_project: Path) -> None:
    (example_project / "Dockerfile").write_text("FROM scratch\n")
    ignore = (example_project / ".dockerignore").read_text()

    result = run([*DEVKIT, "image", "render"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert "Dockerfile was not written by devkit: move its steps into Dockerfile.local" in result.stderr
    assert (example_project / "Dockerfile").read_text() == "FROM scratch\n"
    assert (example_project / ".dockerignore").read_text() == ignore


def test_check_shows_the_diff_of_an_edited_dockerfile(example_project: Path) -> None:
    dockerfile = example_project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 10001:10001\nENTRYPOINT", "ENTRYPOINT", 1))

    result = run([*DEVKIT, "image", "check"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert "+USER 10001:10001\n" in result.stdout
    assert result.stderr == (
        "devkit: error: Dockerfile differs from [tool.devkit.image]: run `devkit image render` and commit\n"
    )


def test_the_committed_example_dockerfile_is_current(example_project: Path) -> None:
    result = run([*DEVKIT, "image", "check"], cwd=example_project, check=False)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_build_without_the_wheel_says_to_build_it(example_project: Path) -> None:
    result = run([*DEVKIT, "image", "build", "production"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "devkit: error: no wheel of ml-service 0.1.0 in dist/: run `devkit run build` first (`make image` does; "
        "in CI the build:wheel job's artifact brings it)"
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["build"], "`devkit image build` needs a target: production or test"),
        (["render", "production"], "`devkit image render` takes no target; `devkit image build TARGET` does"),
        (["check", "--force"], "--force goes with `devkit image render` only"),
    ],
)
def test_image_usage_errors_exit_2(example_project: Path, arguments: list[str], message: str) -> None:
    result = run([*DEVKIT, "image", *arguments], cwd=example_project, check=False)

    assert (result.returncode, result.stderr) == (2, f"devkit: error: {message}\n")


def test_a_project_without_images_passes_the_check_and_cannot_render(example_project: Path) -> None:
    without_images(example_project)
    (example_project / "Dockerfile").write_text("FROM scratch\n")  # the project's own

    checked = run([*DEVKIT, "image", "check"], cwd=example_project, check=False)
    rendered = run([*DEVKIT, "image", "render"], cwd=example_project, check=False)

    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    assert (rendered.returncode, rendered.stderr) == (
        1,
        "devkit: error: pyproject.toml has no [tool.devkit.image]: add the table (it may stay empty) to build "
        "images, then run `devkit image render`\n",
    )
    assert (example_project / "Dockerfile").read_text() == "FROM scratch\n"


def test_a_rendered_dockerfile_left_without_its_table_fails_the_check(example_project: Path) -> None:
    without_images(example_project)

    result = run([*DEVKIT, "image", "check"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert result.stderr == (
        f"devkit: error: {example_project / 'Dockerfile'} was rendered by devkit, but pyproject.toml has no "
        "[tool.devkit.image]: add the table back, or delete Dockerfile and .dockerignore\n"
    )


def test_the_pipeline_builds_images_only_for_a_project_with_the_table(example_project: Path) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    with_images = (example_project / ".gitlab-ci.yml").read_text()
    without_images(example_project)
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    plain = (example_project / ".gitlab-ci.yml").read_text()

    assert "\nbuild:image:\n" in with_images
    assert "\nbuild:image:test:\n" in with_images
    assert '--tag "$CI_REGISTRY_IMAGE:${CI_COMMIT_TAG#v}"' in with_images
    assert "build:image" not in plain
    assert "images" not in plain


def test_the_image_job_tags_the_commit_and_in_a_tag_pipeline_the_version(
    built: Example, docker: str, tmp_path: Path
) -> None:
    run([*DEVKIT, "ci", "render"], cwd=built.project)
    job = yaml.safe_load((built.project / ".gitlab-ci.yml").read_text())["build:image"]
    bootstrap = built.project / ".cache/devkit-image/bin"
    bootstrap.mkdir(parents=True)
    (bootstrap / "devkit").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m devkit "$@"\n')
    (bootstrap / "devkit").chmod(0o755)
    registry = f"registry.example.com/group/{built.name}"
    variables = {"CI_REGISTRY_IMAGE": registry, "CI_COMMIT_SHA": "0" * 40, "CI_COMMIT_TAG": "v0.1.0"}
    env = {**os.environ, **variables, "PATH": f"{Path(docker).parent}:{os.environ['PATH']}"}
    try:
        for line in job["script"][:2]:  # the build and the audit; the push needs a registry
            result = subprocess.run(["sh", "-c", line], cwd=built.project, env=env, capture_output=True, text=True)
            assert result.returncode == 0, result.stdout + result.stderr
    finally:
        shutil.rmtree(built.project / ".cache/devkit-image")

    tags = run([docker, "image", "ls", "--format", "{{.Tag}}", registry], cwd=tmp_path).stdout.split()
    run([docker, "image", "rm", *(f"{registry}:{tag}" for tag in tags)], cwd=tmp_path)
    assert sorted(tags) == sorted(["0" * 40, "0.1.0"])
    assert f"the image {registry}:{'0' * 40} holds exactly the lock's selection" in result.stderr


def test_build_from_a_stale_dockerfile_is_one_line_and_builds_nothing(example_project: Path) -> None:
    dockerfile = example_project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 10001:10001\n", "", 1))

    result = run([*DEVKIT, "image", "build", "production"], cwd=example_project, check=False)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "devkit: error: Dockerfile differs from [tool.devkit.image], so the image would not be what the files say: "
        "run `devkit image render` (`devkit image check` shows the diff) and build again\n"
    )
    assert not (example_project / ".devkit/image").exists()
