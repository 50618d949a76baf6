"""How long `nbgrader autograde` takes per learner, chapter by chapter: the numbers in the README's table.

For each chapter, an nbgrader course built by `nncourse nbgrader` (as an instructor would), two learners
who handed in the instructor's solution, and `nbgrader autograde CHAPTER`. What is reported is CPU time
(the command and every kernel it starts), which other work on the machine hardly changes, unlike wall
time: the autograde's CPU time less that of `nbgrader db assignment list` (nbgrader's start-up: Python,
the app, the gradebook), halved. On an idle 2-core machine that is the wall time per learner; each `nbgrader autograde`
command adds the start-up once. Every learner is checked to earn full marks, so a broken chapter is not
timed as a fast one.

    python benchmarks/bench_autograde.py             # every chapter
    python benchmarks/bench_autograde.py 3 5         # chapters 3 and 5
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ("ada", "grace")
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def cpu_seconds(*args, cwd):
    """Run ``python -m ARGS`` in ``cwd``; return the CPU time (user + system) of it and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([sys.executable, "-m", *map(str, args)], cwd=cwd, env=ENV, capture_output=True,
                            text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0 or "| ERROR]" in result.stdout + result.stderr:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def full_marks(course, name):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="nncourse") as gradebook:
        return all(gradebook.find_submission(name, learner).score == gradebook.find_submission(name, learner).max_score
                   for learner in LEARNERS)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=int, help="chapter numbers (default: all)")
    args = parser.parse_args()
    names = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
             if not args.chapters or int(p.stem[:2]) in args.chapters]
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        cpu_seconds("nncourse", "nbgrader", course, "--chapters", *[int(n[:2]) for n in names], cwd=tmp)
        start_up = cpu_seconds("nbgrader", "db", "assignment", "list", cwd=course)
        print(f"nbgrader start-up: {start_up:.1f} s of CPU\n")
        print("| Chapter | Points | Autograde time per learner |\n|---|---|---|")
        details = []
        for name in names:
            source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
            points = sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in source.cells)
            for learner in LEARNERS:
                folder = course / "submitted" / learner / name
                folder.mkdir(parents=True)
                nbformat.write(source, folder / f"{name}.ipynb")
            cpu_seconds("nbgrader", "generate_assignment", name, cwd=course)
            wall = time.perf_counter()
            cpu = cpu_seconds("nbgrader", "autograde", name, cwd=course)
            wall = time.perf_counter() - wall
            if not full_marks(course, name):
                sys.exit(f"{name}: the instructor's solution did not earn full marks")
            heading = next(c.source for c in source.cells if c.cell_type == "markdown").splitlines()[0]
            title = heading.lstrip("# ").split(" — ")[-1]  # "# Chapter 3 — Multi-layer perceptrons"
            print(f"| {int(name[:2])} {title} | {points:g} | {(cpu - start_up) / len(LEARNERS):.0f} s |")
            details.append(f"{name}: {cpu:.1f} s of CPU, {wall:.1f} s wall for {len(LEARNERS)} learners")
        print("\n" + "\n".join(details))


if __name__ == "__main__":
    main()
