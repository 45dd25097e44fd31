"""The board's layout: the parts tile the board (the whole screen), as the stylesheet used to place them."""

from __future__ import annotations

import random

import pytest
from rich.style import Style
from textual import events
from textual.geometry import Size

from stepnet.tui.widgets.board import COMPACT_BELOW, Board, Styled, layout


@pytest.mark.parametrize("size", [(80, 24), (100, 31), (109, 32), (110, 40), (120, 40), (300, 100)])
@pytest.mark.parametrize("network, expectations", [(3, 0), (10, 0), (4, 9), (4, 40)])
def test_the_parts_cover_every_cell_of_the_board_once(size, network, expectations) -> None:
    width, height = size
    regions = layout(Size(width, height), network, expectations)
    cells = [(x, y) for r in regions.values() for y in range(r.y, r.bottom) for x in range(r.x, r.right)]
    assert sorted(cells) == [(x, y) for x in range(width) for y in range(height)]
    assert regions["state"].height >= 5  # what the debugger is about keeps room at 80×24
    assert regions["keys"] == (0, height - 1, width, 1)  # the footer


def test_the_middle_row_is_the_tallest_of_the_diagram_and_the_expectations_it_can_show() -> None:
    tall = Size(120, 40)
    assert layout(tall, 10, 0)["network"].height == 12  # ten lines and a frame
    assert layout(tall, 3, 0)["network"].height == 8  # at least 8
    assert layout(tall, 3, 4)["network"].height == 10  # the loss, a frame, 4 figures and 2 lines
    assert layout(tall, 3, 40)["network"].height == 12  # at most 12 for the figures
    short = Size(120, COMPACT_BELOW - 1)
    assert layout(short, 10, 40)["network"].height == 7
    assert layout(short, 3, 0)["timeline"].height == 2 and layout(tall, 3, 0)["timeline"].height == 3


def test_the_side_column_widens_on_a_wide_board() -> None:
    assert layout(Size(109, 40), 3, 0)["expectations"].width == 34
    assert layout(Size(110, 40), 3, 0)["expectations"].width == 44


@pytest.mark.parametrize("name", ["mazur", "mnist"])
async def test_every_line_of_the_board_is_exactly_its_width(make_app, name) -> None:
    """Through random keys and resizes (down to sizes where it shows a message instead of the
    parts): a line wider or narrower than the board would shift what the terminal shows."""
    rng = random.Random(name)
    app = make_app(name)
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen.query_one(Board)
        for size in [(120, 40), (80, 24), (81, 31), (109, 32), (30, 30), (200, 60)]:
            await pilot.resize_terminal(*size)
            for _ in range(15):
                await pilot.press(rng.choice(["n", "n", "N", "p", "e", "E", "right", "down", "plus", "minus",
                                              "pagedown", "pageup"]))
            await pilot.pause()
            width, height = board.size
            # the characters each line holds (all one cell wide), not the width its Strip was
            # given; as Textual asks for them (render_lines) and one by one
            lines = [*board.render_lines(board.size.region), *map(board.render_line, range(height))]
            assert len(lines) == 2 * height and all(sum(len(s.text) for s in line) == width for line in lines)


async def test_the_wheel_scrolls_the_expectations_and_a_resize_keeps_the_scroll_in_range(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=(100, 40)) as pilot:
        board = app.screen.query_one(Board)
        panel = board.expectations
        assert panel.total > panel.size.height  # more figures than fit
        x, y = board.panels["expectations"].content.offset
        for _ in range(5):
            board.post_message(events.MouseScrollDown(board, x, y, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y > 0
        assert f"lines {panel.scroll_y + 1}–{panel.total} of {panel.total}" in board.text
        await pilot.resize_terminal(130, 40)  # wider: fewer wrapped lines
        await pilot.pause()
        assert panel.scroll_y <= panel.max_scroll_y


def test_a_panels_styles_are_combined_with_its_own_and_kept_within_bounds() -> None:
    base = Style(bgcolor="#121212")
    styled = Styled(base)
    colours = [Style(color=f"#{i:06x}") for i in range(Styled.SIZE + 50)]  # a long session's sparkline
    assert [styled[c] for c in colours] == [base + c for c in colours]
    assert styled[None] == base and len(styled) <= Styled.SIZE
