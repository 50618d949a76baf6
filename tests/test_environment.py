"""Binder and conda: the environment files list pyproject.toml's runtime dependencies, and repo2docker's
build installs binder/environment.yml and then runs binder/postBuild.

``jupyter-repo2docker --no-build --debug .`` renders the Dockerfile and prints it without contacting a
container engine (repo2docker's ``dry_run``: ``find_image`` and ``build`` skip the engine), so this runs
on a machine without Docker.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ENVIRONMENTS = {"binder": ROOT / "binder" / "environment.yml", "conda": ROOT / "environment.yml"}
POSTBUILD = ROOT / "binder" / "postBuild"
# conda-forge names of pyproject.toml's packages; the Binder image must stay CPU-only and small.
CONDA_NAMES = {"torch": ("pytorch-cpu", "pytorch"), "matplotlib": ("matplotlib-base", "matplotlib")}
CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


def runtime_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]], project["requires-python"]


def conda_packages(path):
    """Map conda package name -> version spec (a SpecifierSet) for the conda (non-pip) dependencies."""
    env = yaml.safe_load(path.read_text())
    packages = {}
    for entry in env["dependencies"]:
        if isinstance(entry, str):
            name, spec = CONDA_SPEC.match(entry).groups()
            packages[name.lower()] = spec
    return env, packages


def as_specifier(conda_spec):
    """A conda version spec like ``>=8,<9`` or ``=3.11`` as a PEP 440 SpecifierSet."""
    if conda_spec.startswith("=") and not conda_spec.startswith("=="):
        conda_spec = f"=={conda_spec[1:]}.*" if conda_spec.count(".") < 2 else f"=={conda_spec[1:]}"
    return SpecifierSet(conda_spec)


@pytest.mark.parametrize("which", ENVIRONMENTS)
def test_environment_lists_every_runtime_dependency_with_its_bounds(which):
    env, packages = conda_packages(ENVIRONMENTS[which])
    requirements, _ = runtime_requirements()
    for req in requirements:
        names = CONDA_NAMES.get(req.name.lower(), (req.name.lower(),))
        found = [name for name in names if name in packages]
        assert found, f"{which} environment lacks {req.name} (as {' or '.join(names)})"
        assert as_specifier(packages[found[0]]) == req.specifier, (
            f"{which} environment: {found[0]} {packages[found[0]]!r} differs from pyproject's {req}"
        )


@pytest.mark.parametrize("which", ENVIRONMENTS)
def test_environment_uses_conda_forge_cpu_pytorch_and_a_supported_python(which):
    env, packages = conda_packages(ENVIRONMENTS[which])
    _, requires_python = runtime_requirements()
    assert env["channels"] == ["conda-forge"]
    assert "pytorch-cpu" in packages and "pytorch" not in packages, "PyTorch must be the CPU-only build"
    assert "python" in packages and "pip" in packages
    python = as_specifier(packages["python"])
    assert any(python.contains(v) for v in ("3.10", "3.11", "3.12", "3.13")), packages["python"]
    assert all(
        SpecifierSet(requires_python).contains(v)
        for v in ("3.10", "3.11", "3.12", "3.13")
        if python.contains(v)
    )


def test_conda_environment_installs_nncourse_itself():
    env, _ = conda_packages(ENVIRONMENTS["conda"])
    pip = [entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict) and "pip" in entry]
    assert pip == [["-e ."]]


def test_binder_postbuild_installs_nncourse_strictly():
    text = POSTBUILD.read_text()
    assert os.access(POSTBUILD, os.X_OK), "binder/postBuild must be executable"
    assert text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in text
    assert re.search(r"^pip install --no-deps -e \.$", text, re.MULTILINE)


@pytest.mark.slow
def test_repo2docker_builds_the_binder_environment_then_runs_postbuild():
    repo2docker = Path(sys.executable).parent / "jupyter-repo2docker"
    assert repo2docker.exists(), f"{repo2docker} is missing: install the [dev] extra"
    result = subprocess.run(
        [str(repo2docker), "--no-build", "--debug", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    dockerfile = result.stdout
    log = result.stderr
    assert "FROM " in dockerfile, f"repo2docker printed no Dockerfile:\n{log}"
    python = conda_packages(ENVIRONMENTS["binder"])[1]["python"].lstrip("=")
    assert f"Building conda environment for python={python}" in log
    copy_env = dockerfile.index(
        "COPY --chown=0:0 src/binder/environment.yml ${REPO_DIR}/binder/environment.yml"
    )
    install_env = dockerfile.index('env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"')
    copy_repo = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    postbuild = dockerfile.index("RUN ./binder/postBuild")
    assert copy_env < install_env < copy_repo < postbuild, (
        "the environment must be installed before postBuild runs"
    )
    assert 'file "environment.yml"' not in dockerfile, (
        "repo2docker must read binder/, not the root environment"
    )
    user = dockerfile.rindex("USER ", 0, postbuild)
    assert dockerfile[user:].startswith("USER ${NB_USER}"), "postBuild must run as the notebook user"
