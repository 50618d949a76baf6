"""The even chapters of tests/test_browser.py: a module of their own, so that pytest-xdist (``--dist
loadscope``, one module per worker at a time) runs them beside the odd ones instead of after them."""

import pytest
from test_browser import EVEN_CHAPTERS, browser, check_chapter, lab, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("chapter", EVEN_CHAPTERS)
def test_chapter_runs_and_every_widget_control_changes_the_picture(lab, page, chapter):  # noqa: F811
    check_chapter(lab, page, chapter)
