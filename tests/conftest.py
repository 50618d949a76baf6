"""Shared test set-up: every kernel the tests start (nbval, nbclient) uses one BLAS/OpenMP thread."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

sys.path.insert(0, str(ROOT / "scripts"))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the marks set here
def pytest_collection_modifyitems(config, items):
    """How two workers share the suite (pytest-xdist, ``--dist loadgroup``): the tests of one file, or the cells
    of one notebook (nbval runs them in order, in one kernel), stay together on one worker; the browser test's
    chapters go out in two halves (odd and even chapters), because together they would be the longest part of
    the run on one worker. Each half runs without interruption, so its JupyterLab and browser (module-scoped
    fixtures) are closed before its worker goes on."""
    for item in items:
        path, _, name = item.nodeid.partition("::")
        group = path
        if path.endswith("test_browser.py"):
            chapter = name.partition("[")[2][:2]
            group += "::odd" if chapter.isdigit() and int(chapter) % 2 else "::even"
        item.add_marker(pytest.mark.xdist_group(group))
