"""The widget base class: one figure, closed at once, whose hand-made layout survives the inline backend."""

import io

import matplotlib.pyplot as plt
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

import nncourse.plot  # noqa: F401  (the course style: constrained layout by default)
from nncourse.widgets._base import FigureWidget


def test_the_figure_is_closed_so_the_inline_backend_does_not_show_it_twice():
    fig = plt.figure()
    FigureWidget(fig)
    assert not plt.fignum_exists(fig.number)


def test_a_figure_laid_out_by_hand_keeps_its_layout_after_a_tight_save():
    # The inline backend displays with savefig(bbox_inches="tight"), which on its own would switch a figure
    # without a layout engine to the rc default (constrained layout) and move hand-placed axes.
    fig = plt.figure(layout="none")
    ax = fig.add_axes([0.1, 0.1, 0.3, 0.3])
    FigureWidget(fig)
    for _ in range(2):
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert ax.get_position().bounds == pytest.approx((0.1, 0.1, 0.3, 0.3))


def test_a_figure_with_the_course_layout_keeps_it():
    fig = plt.figure()
    FigureWidget(fig)
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
