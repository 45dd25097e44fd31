"""The board's layout: the parts tile the board, as the stylesheet used to place them."""

from __future__ import annotations

import pytest
from textual.geometry import Size

from stepnet.tui.widgets.board import COMPACT_BELOW, layout


@pytest.mark.parametrize("size", [(80, 23), (100, 30), (109, 31), (110, 39), (120, 39), (300, 99)])
@pytest.mark.parametrize("network, expectations", [(3, 0), (10, 0), (4, 9), (4, 40)])
def test_the_parts_cover_every_cell_of_the_board_once(size, network, expectations) -> None:
    width, height = size
    regions = layout(Size(width, height), network, expectations)
    cells = [(x, y) for r in regions.values() for y in range(r.y, r.bottom) for x in range(r.x, r.right)]
    assert sorted(cells) == [(x, y) for x in range(width) for y in range(height)]
    assert regions["state"].height >= 5  # what the debugger is about keeps room at 80×24


def test_the_middle_row_is_the_tallest_of_the_diagram_and_the_expectations_it_can_show() -> None:
    tall = Size(120, 39)
    assert layout(tall, 10, 0)["network"].height == 12  # ten lines and a frame
    assert layout(tall, 3, 0)["network"].height == 8  # at least 8
    assert layout(tall, 3, 4)["network"].height == 10  # the loss, a frame, 4 figures and 2 lines
    assert layout(tall, 3, 40)["network"].height == 12  # at most 12 for the figures
    short = Size(120, COMPACT_BELOW - 1)
    assert layout(short, 10, 40)["network"].height == 7
    assert layout(short, 3, 0)["timeline"].height == 2 and layout(tall, 3, 0)["timeline"].height == 3


def test_the_side_column_widens_on_a_wide_board() -> None:
    assert layout(Size(109, 39), 3, 0)["expectations"].width == 34
    assert layout(Size(110, 39), 3, 0)["expectations"].width == 44


def test_a_board_too_small_gets_regions_inside_it() -> None:
    board = Size(20, 7).region
    for region in layout(Size(20, 7), 3, 0).values():
        assert board.contains_region(region) or region.area == 0
