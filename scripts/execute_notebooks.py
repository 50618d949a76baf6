"""Re-execute chapter notebooks in place and store their outputs: the one way committed outputs are made.

    python scripts/execute_notebooks.py                       # every notebook in notebooks/
    python scripts/execute_notebooks.py notebooks/01_perceptron.py

The paired percent-format ``.py`` file is the source: it is read, executed top to bottom in a fresh kernel
(one BLAS thread, working directory ``notebooks/``), and written back as the ``.ipynb`` with its outputs and
as a normalised ``.py``, so that the pair is in sync. Outputs are made deterministic: no timing metadata, and
widget views (whose model ids are random and which need a live kernel anyway) are dropped; every widget is
preceded by a static figure, so nothing essential is lost. Running this twice in a row changes nothing.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def kernel_env():
    """The environment of every kernel the course starts for tests and builds: one BLAS/OpenMP thread."""
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    os.environ.update(env)
    return env


def clean_outputs(nb):
    """Drop what differs between two runs of the same notebook: random cell ids, timings, widget views, and
    where the kernel happened to split a stream of printed text."""
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            if WIDGET_VIEW in out.get("data", {}):
                continue
            previous = kept[-1] if kept else None
            if out.output_type == "stream" and previous is not None and previous.output_type == "stream" \
                    and previous.name == out.name:
                # The kernel splits a cell's printing into chunks wherever it flushes, differently each run.
                previous.text += out.text
                continue
            kept.append(out)
        cell.outputs = kept
    return nb


def execute(py_path, timeout=300):
    """Execute the notebook paired with ``py_path`` and write both files; returns the seconds it took."""
    py_path = Path(py_path).with_suffix(".py")
    nb = jupytext.read(py_path)
    nb.metadata["kernelspec"] = KERNELSPEC
    kernel_env()
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(py_path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    clean_outputs(nb)
    ipynb_path = py_path.with_suffix(".ipynb")
    jupytext.write(nb, ipynb_path)
    # The .py is written from the stored .ipynb, so that it is exactly what the pairing test converts.
    jupytext.write(jupytext.read(ipynb_path), py_path, fmt="py:percent")
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook .py or .ipynb paths (default: all chapters)")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    for path in paths:
        seconds = execute(path)
        print(f"{path.with_suffix('.ipynb').name}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
