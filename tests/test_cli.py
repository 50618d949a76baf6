"""The instructor's commands: `nncourse nbgrader DIR` writes a ready nbgrader course and `nncourse exercises`
prints the table of graded exercises, which the README's instructors' section shows."""

import subprocess
import sys

import nbformat
import pytest
from conftest import NOTEBOOKS, ROOT

from nncourse import cli
from nncourse.exercises import all_exercises
from nncourse.student import CONFIG_NAME, course_notebook

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_nbgrader_writes_the_configuration_and_the_chosen_chapters(tmp_path, capsys):
    course = tmp_path / "course"
    assert cli.main(["nbgrader", str(course), "--chapters", "3", "1"]) == 0
    written = sorted(str(path.relative_to(course)) for path in course.rglob("*") if path.is_file())
    assert written == [CONFIG_NAME, "source/01_perceptron/01_perceptron.ipynb", "source/03_mlp/03_mlp.ipynb"]
    source = nbformat.read(course / "source/03_mlp/03_mlp.ipynb", as_version=4)
    assert source == course_notebook(nbformat.read(NOTEBOOKS / "03_mlp.ipynb", as_version=4))
    assert "nbgrader generate_assignment 03_mlp" in capsys.readouterr().out


def test_nbgrader_takes_every_chapter_by_default_and_refuses_to_overwrite(tmp_path, capsys):
    course = tmp_path / "course"
    assert cli.main(["nbgrader", str(course)]) == 0
    assert sorted(path.name for path in (course / "source").iterdir()) == [path.stem for path in CHAPTERS]
    (course / CONFIG_NAME).write_text("# the instructor's own settings\n")
    assert cli.main(["nbgrader", str(course)]) == 2
    assert "refusing to overwrite existing files" in capsys.readouterr().err
    assert (course / CONFIG_NAME).read_text() == "# the instructor's own settings\n"
    assert cli.main(["nbgrader", str(course), "--force"]) == 0
    assert "autograde_preprocessors" in (course / CONFIG_NAME).read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--chapters", "42"], "no chapter 42 in"),
        (["--notebooks", "nowhere"], "no chapter notebooks (NN_topic.ipynb) in 'nowhere'"),
    ],
)
def test_nbgrader_errors_are_one_sentence(tmp_path, capsys, arguments, message):
    assert cli.main(["nbgrader", str(tmp_path / "course"), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nncourse nbgrader: error: ") and message in err
    assert not (tmp_path / "course").exists()


def test_exercises_lists_every_exercise_with_chapter_totals(capsys):
    assert cli.main(["exercises"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["chapter", "grade", "id", "exercise", "points"]
    for exercise in all_exercises():
        (row,) = [line for line in lines if f" {exercise.grade_id} " in line]
        assert row.startswith(str(exercise.chapter)) and exercise.title in row
        assert row.split()[-1] == str(exercise.points)
    for chapter in sorted({exercise.chapter for exercise in all_exercises()}):
        total = sum(exercise.points for exercise in all_exercises() if exercise.chapter == chapter)
        assert any(line.split()[-3:] == [str(chapter), "total", str(total)] for line in lines)
    assert lines[-1].split()[-1] == str(sum(exercise.points for exercise in all_exercises()))


def test_the_readme_shows_the_exercise_table():
    readme = (ROOT / "README.md").read_text()
    assert cli.exercise_table(markdown=True) in readme
    instructors = readme.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    assert "alembic" in instructors and "PATH" in instructors


@pytest.mark.slow
def test_python_m_nncourse_exercises():
    result = subprocess.run(
        [sys.executable, "-m", "nncourse", "exercises", "--markdown"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == cli.exercise_table(markdown=True)


@pytest.mark.slow
def test_python_m_nncourse_cli_runs_the_command_too():
    result = subprocess.run(
        [sys.executable, "-m", "nncourse.cli", "student"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "the following arguments are required: SOURCE, OUT_DIR" in result.stderr
