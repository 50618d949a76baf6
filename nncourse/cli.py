"""The ``nncourse`` command (also ``python -m nncourse``).

    nncourse student SOURCE OUT_DIR [--force]          the student version of a notebook or of a folder's
    nncourse nbgrader DIR [--chapters N ...] [--force]  a ready nbgrader course of the chapters
    nncourse exercises [--markdown]                     the graded exercises: chapter, grade id, title, points
    nncourse check                                      check that this environment can run the course

Errors are reported in one plain sentence with exit code 2, never with a traceback.
"""

import argparse
import importlib
import importlib.metadata
import platform
import sys
from pathlib import Path

# What the course needs at run time, in the order `check` reports it; versions come from our own metadata.
RUNTIME_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "torch")
MIN_PYTHON = (3, 10)


def _student(args):
    from nncourse.student import build

    written = build(args.source, args.out_dir, force=args.force)
    for path in written:
        print(f"wrote {path}")
    print(
        f"{len(written)} student notebook(s) in {args.out_dir}: solutions replaced by stubs, hidden tests "
        "removed, outputs cleared."
    )
    return 0


def default_notebooks():
    """The course's ``notebooks/`` folder: beside the package in a checkout (the editable install).

    >>> default_notebooks().name
    'notebooks'
    """
    return Path(__file__).resolve().parent.parent / "notebooks"


def chapter_notebooks(folder, chapters=None):
    """The chapter notebooks ``NN_topic.ipynb`` in ``folder``, all or those whose number is in ``chapters``.

    >>> [path.name for path in chapter_notebooks(default_notebooks(), [1])]
    ['01_perceptron.ipynb']
    """
    folder = Path(folder)
    found = {int(path.name[:2]): path for path in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
    if not found:
        raise ValueError(f"no chapter notebooks (NN_topic.ipynb) in {str(folder)!r}; give --notebooks FOLDER")
    if chapters is None:
        return list(found.values())
    missing = [number for number in chapters if number not in found]
    if missing:
        raise ValueError(f"no chapter {missing[0]} in {str(folder)!r}: the chapters are {sorted(found)}")
    return [found[number] for number in dict.fromkeys(chapters)]


def _nbgrader(args):
    from nncourse.student import write_nbgrader_course

    notebooks = chapter_notebooks(args.notebooks, args.chapters)
    written = write_nbgrader_course(args.course_dir, notebooks, force=args.force)
    for path in written:
        print(f"wrote {path}")
    names = " ".join(path.stem for path in notebooks)
    print(
        f"nbgrader course in {args.course_dir} with {len(notebooks)} assignment(s): {names}. Next, in that "
        f"folder: nbgrader generate_assignment {notebooks[0].stem}"
    )
    return 0


def exercise_table(markdown=False):
    """The graded exercises, one row each, with each chapter's total; plain text or a Markdown table.

    >>> print(exercise_table().splitlines()[0])
    chapter  grade id                        exercise                                  points
    """
    from nncourse.exercises import all_exercises

    def row(chapter, grade_id, title, points):
        if markdown:
            return f"| {chapter} | {grade_id} | {title} | {points} |"
        return f"{chapter:<8} {grade_id:<31} {title:<41} {points:>6}"

    def bold(text):
        return f"**{text}**" if markdown else text

    exercises = all_exercises()
    lines = [row("Chapter", "Grade id", "Exercise", "Points"), "|---|---|---|---|"] if markdown else [
        row("chapter", "grade id", "exercise", "points")]
    for chapter in sorted({exercise.chapter for exercise in exercises}):
        in_chapter = [exercise for exercise in exercises if exercise.chapter == chapter]
        for exercise in in_chapter:
            grade_id = f"`{exercise.grade_id}`" if markdown else exercise.grade_id
            lines.append(row(chapter, grade_id, exercise.title, exercise.points))
        total = sum(exercise.points for exercise in in_chapter)
        lines.append(row("", "", bold(f"chapter {chapter} total"), bold(total)))
    lines.append(row("", "", bold("course total"), bold(sum(exercise.points for exercise in exercises))))
    return "\n".join(lines)


def _exercises(args):
    print(exercise_table(markdown=args.markdown))
    return 0


def _requirements():
    """Package name -> version specifier, from nncourse's installed metadata ({} if not installed)."""
    from packaging.requirements import Requirement

    try:
        lines = importlib.metadata.requires("nncourse") or []
    except importlib.metadata.PackageNotFoundError:
        return {}
    specs = {}
    for line in lines:
        req = Requirement(line)
        if req.marker is None:
            specs[req.name.lower()] = req.specifier
    return specs


def _check(_args):
    from packaging.version import Version

    problems = []
    rows = []
    python = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] >= MIN_PYTHON
    rows.append(("Python", python, "ok" if ok else f"needs >= {'.'.join(map(str, MIN_PYTHON))}"))
    if not ok:
        problems.append(f"Python {python} is too old: the course needs Python >= 3.10.")

    specs = _requirements()
    if not specs:
        problems.append(
            'nncourse is not installed: run `python -m pip install -e ".[dev]"` in the course folder.'
        )
    for name in RUNTIME_PACKAGES:
        spec = specs.get(name)
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            rows.append((name, "missing", "not installed"))
            problems.append(f'{name} is not installed: run `python -m pip install -e ".[dev]"`.')
            continue
        if spec is not None and not spec.contains(Version(version), prereleases=True):
            rows.append((name, version, f"needs {spec}"))
            problems.append(f"{name} {version} does not satisfy {spec}: upgrade it with pip.")
        else:
            rows.append((name, version, "ok"))

    if any(row[0] == "torch" and row[1] != "missing" for row in rows):
        try:
            torch = importlib.import_module("torch")
            cuda = torch.cuda.is_available()
            detail = (
                f"available ({torch.cuda.get_device_name(0)})"
                if cuda
                else "not available (the course runs on CPU)"
            )
            rows.append(("CUDA", "yes" if cuda else "no", detail))
        except Exception as exc:  # a broken torch install is a problem to report, not a crash
            rows.append(("CUDA", "?", "torch failed to import"))
            problems.append(f"torch is installed but fails to import: {type(exc).__name__}: {exc}")

    print(f"nncourse environment check ({platform.system()} {platform.machine()})")
    for name, version, status in rows:
        print(f"  {name:<11} {version:<14} {status}")
    if problems:
        print("\nProblems:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nAll good: open the course with `jupyter lab notebooks/`.")
    return 0


def build_parser():
    """The ``nncourse`` command's argument parser: one sub-command per task.

    >>> build_parser().parse_args(["nbgrader", "course", "--chapters", "1", "3"]).chapters
    [1, 3]
    """
    parser = argparse.ArgumentParser(prog="nncourse", description="Tools for the nncourse notebooks.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    student = commands.add_parser(
        "student",
        help="write the student version of a notebook, or of every notebook in a folder",
        description="Write the student version of SOURCE (one .ipynb, or every *.ipynb in a folder) to OUT_DIR: "
        "what nbgrader's generate_assignment releases. Solution regions replaced by `# YOUR CODE HERE` / "
        "`raise NotImplementedError()`, hidden tests removed, outputs cleared, nothing executed; only .ipynb "
        "files are written.",
    )
    student.add_argument("source", metavar="SOURCE", help="a chapter notebook (.ipynb) or a folder of them")
    student.add_argument(
        "out_dir", metavar="OUT_DIR", help="folder for the student notebooks (created if needed)"
    )
    student.add_argument(
        "--force", action="store_true", help="overwrite notebooks that already exist in OUT_DIR"
    )
    student.set_defaults(run=_student)

    nbgrader = commands.add_parser(
        "nbgrader",
        help="write a ready nbgrader course of the chapters",
        description="Write an nbgrader course to DIR: nbgrader_config.py and source/<chapter>/<chapter>.ipynb, "
        "one assignment per chapter, so that `nbgrader generate_assignment <chapter>` works at once in DIR.",
    )
    nbgrader.add_argument("course_dir", metavar="DIR", help="the course folder (created if needed)")
    nbgrader.add_argument(
        "--chapters", metavar="N", type=int, nargs="+", help="chapter numbers to include (default: all)"
    )
    nbgrader.add_argument(
        "--notebooks", metavar="FOLDER", type=Path, default=default_notebooks(),
        help="the folder of chapter notebooks (default: the course's notebooks/)",
    )
    nbgrader.add_argument("--force", action="store_true", help="overwrite files that already exist in DIR")
    nbgrader.set_defaults(run=_nbgrader)

    exercises = commands.add_parser(
        "exercises",
        help="list the graded exercises",
        description="Print the table of graded exercises: chapter, nbgrader grade id, title and points, with "
        "each chapter's total.",
    )
    exercises.add_argument("--markdown", action="store_true", help="print a Markdown table")
    exercises.set_defaults(run=_exercises)

    check = commands.add_parser(
        "check",
        help="check that this environment can run the course",
        description="Report the versions of Python, numpy, matplotlib, ipywidgets, jupyterlab and torch, and "
        "whether torch sees a GPU. Exit code 0 when everything the course needs is there, 1 otherwise.",
    )
    check.set_defaults(run=_check)
    return parser


def main(argv=None):
    """Run the ``nncourse`` command with ``argv`` (default: the command line); return its exit code.

    >>> main(["exercises", "--markdown"])  # doctest: +ELLIPSIS
    | Chapter | Grade id | Exercise | Points |
    ...
    |  |  | **course total** | **...** |
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as exc:
        print(f"nncourse {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # python -m nncourse.cli ... (as python -m nncourse ...)
    sys.exit(main())
