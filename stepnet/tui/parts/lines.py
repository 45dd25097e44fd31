"""Lines as the parts draw them: lists of Rich segments, fitted and wrapped to a width and
read back as plain text. Only the board makes Textual `Strip`s of them, one per screen line:
a Strip builds seven caches when created, which showed in a key's time when every part's
line was one."""

from __future__ import annotations

import textwrap
from itertools import groupby
from operator import itemgetter

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

Segments = list[Segment]  # one drawn line
Line = list[tuple[str, Style | None]]  # one line of text, in styled parts, before it is wrapped


def cells(line: Segments) -> int:
    """How many cells `line` takes."""
    return cell_len("".join([segment.text for segment in line]))


def fit(line: Segments, width: int) -> Segments:
    """`line` as exactly `width` cells: cut, or padded with spaces (itself if it fits exactly)."""
    length = cells(line)
    if length < width:
        return [*line, Segment(" " * (width - length))]
    return line if length == width else Segment.adjust_line_length(line, width)


def runs(cells: list[tuple[str, Style | None]]) -> Segments:
    """Pieces of text as a line, one segment per run of pieces in one style."""
    return [Segment("".join(text for text, _ in run), style) for style, run in groupby(cells, key=itemgetter(1))]


def wrap(line: Line, width: int) -> list[Segments]:
    """A line as lines of at most `width` cells, broken at spaces where it is too long (the
    spaces it breaks at are dropped). Cells are counted as characters: the text is math."""
    segments = [Segment(text, style) for text, style in line if text]
    text = "".join(text for text, _ in line)
    if len(text) <= width or width < 1:
        return [segments]
    cuts, end = [], 0
    for piece in textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False,
                               break_on_hyphens=False):
        start = text.index(piece, end)  # each piece is the text's, in order: cut the styles there
        end = start + len(piece)
        cuts += [start, end]
    return list(Segment.divide(segments, cuts))[1::2]  # the pieces, not the spaces between


def plain(lines: list[Segments]) -> str:
    """Lines as plain text, without trailing spaces."""
    return "\n".join("".join(segment.text for segment in line).rstrip() for line in lines)
