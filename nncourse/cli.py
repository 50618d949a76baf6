"""The ``nncourse`` command (also ``python -m nncourse``).

    nncourse student SOURCE_DIR OUT_DIR [--force]   write the student version of every notebook
    nncourse check                                  check that this environment can run the course

Errors are reported in one plain sentence with exit code 2, never with a traceback.
"""

import argparse
import importlib
import importlib.metadata
import platform
import sys

# What the course needs at run time, in the order `check` reports it; versions come from our own metadata.
RUNTIME_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "torch")
MIN_PYTHON = (3, 10)


def _student(args):
    from nncourse.student import build_directory

    written = build_directory(args.source_dir, args.out_dir, force=args.force)
    for path in written:
        print(f"wrote {path}")
    print(
        f"{len(written)} student notebook(s) in {args.out_dir}: solutions replaced by stubs, outputs cleared."
    )
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
    parser = argparse.ArgumentParser(prog="nncourse", description="Tools for the nncourse notebooks.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    student = commands.add_parser(
        "student",
        help="write the student version of every notebook",
        description="Write the student version of every *.ipynb in SOURCE_DIR to OUT_DIR: solution regions "
        "replaced by `# YOUR CODE HERE` / `raise NotImplementedError()`, outputs cleared, nothing executed.",
    )
    student.add_argument("source_dir", metavar="SOURCE_DIR", help="folder with the source notebooks")
    student.add_argument(
        "out_dir", metavar="OUT_DIR", help="folder for the student notebooks (created if needed)"
    )
    student.add_argument(
        "--force", action="store_true", help="overwrite notebooks that already exist in OUT_DIR"
    )
    student.set_defaults(run=_student)

    check = commands.add_parser(
        "check",
        help="check that this environment can run the course",
        description="Report the versions of Python, numpy, matplotlib, ipywidgets, jupyterlab and torch, and "
        "whether torch sees a GPU. Exit code 0 when everything the course needs is there, 1 otherwise.",
    )
    check.set_defaults(run=_check)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as exc:
        print(f"nncourse {args.command}: error: {exc}", file=sys.stderr)
        return 2
