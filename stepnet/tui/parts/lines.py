"""Lines of styled text, as the parts draw them: wrapped to a width, read back as plain text."""

from __future__ import annotations

import textwrap

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


Line = list[tuple[str, Style | None]]  # one line of text, in styled parts


def wrap(line: Line, width: int) -> list[Strip]:
    """A line as strips of at most `width` cells, broken at spaces where it is too long (the
    spaces it breaks at are dropped). Cells are counted as characters: the text is math."""
    strip = Strip([Segment(text, style) for text, style in line if text])
    if strip.cell_length <= width or width < 1:
        return [strip]
    text, strips, end = strip.text, [], 0
    for piece in textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False,
                               break_on_hyphens=False):
        start = text.index(piece, end)  # each piece is the text's, in order: cut the styles there
        end = start + len(piece)
        strips.append(strip.crop(start, end))
    return strips


def plain(lines: list[Strip]) -> str:
    """Lines as plain text, without trailing spaces."""
    return "\n".join(line.text.rstrip() for line in lines)
