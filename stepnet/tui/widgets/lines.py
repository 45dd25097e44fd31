"""Repainting as little as possible: what every part of the debugger screen uses per key.

Textual re-renders every line of a widget on `refresh()`, and each line costs its trip
through the styles pipeline (padding, border, colour filter) and the compositor, whatever
changed in it; a Static also renders its text through the content pipeline first (~0.3 ms a
line). Measured with bench/tui.py, that is most of a key's time, so the parts draw their
lines from segments (`LinesWidget`), keep them, refresh only those that differ, and set their
border titles without repainting the widget.
"""

from __future__ import annotations

import textwrap

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


Line = list[tuple[str, Style | None]]  # one line of text, in styled parts


def repaint(widget: Widget, old: list[Strip], new: list[Strip]) -> None:
    """Refresh the content lines of `widget` where `new` differs from `old` (all of them
    when the line count changed); nothing when they are the same."""
    width = widget.size.width
    if len(old) != len(new):
        widget.refresh()
        return
    regions = [Region(0, y, width, 1) for y, (a, b) in enumerate(zip(old, new)) if a != b]
    if regions:
        widget.refresh(*regions)  # one call: each refresh() walks up to the screen


def set_border_title(widget: Widget, title: str, *, subtitle: bool = False) -> None:
    """Set the (sub)title on `widget`'s border, repainting only that border line.

    `Widget.border_title`'s setter parses markup and repaints the whole widget; the panels
    change their title on every key, so this sets what it stores (a Content, read by the
    styles cache when it draws the border) and refreshes the border line alone, given in
    content coordinates (-gutter.top is the top border line). `title` is plain text.
    """
    attribute = "_border_subtitle" if subtitle else "_border_title"
    current = getattr(widget, attribute)
    if (current.plain if current is not None else "") == title:
        return
    setattr(widget, attribute, Content(title) if title else None)
    gutter, size = widget.gutter, widget.size  # size: the content area's
    if not size:
        return  # not laid out yet: its first paint draws the border
    y = size.height + gutter.bottom - 1 if subtitle else -gutter.top
    widget.refresh(Region(-gutter.left, y, widget.outer_size.width, 1))


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


class LinesWidget(Widget):
    """A part of the screen that draws its own lines: `draw(width)` builds them from
    segments for the current state; `redraw()` draws again and repaints the lines that differ.
    Until the first paint nothing is drawn: the widget has no width yet."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[Strip] = []
        self._drawn_for = Size(0, 0)  # the size the lines were drawn for

    def draw(self, width: int) -> list[Strip]:
        raise NotImplementedError

    @property
    def text(self) -> str:
        """What the part shows, as plain text."""
        return plain(self._lines)

    def redraw(self) -> None:
        if self._drawn_for == self.size and self._drawn_for:
            old, self._lines = self._lines, self._draw()
            repaint(self, old, self._lines)
        else:  # never drawn, resized or restyled since: the next paint draws every line
            self.refresh()

    def _draw(self) -> list[Strip]:
        width = self.size.width
        return [line.crop_extend(0, width, None).simplify() for line in self.draw(width)]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_for = Size(0, 0)  # a theme switch: the next paint draws in the new colours

    def render_line(self, y: int) -> Strip:
        if self.size != self._drawn_for:  # the first paint, or a resize (which repaints it all)
            self._drawn_for = self.size
            self._lines = self._draw()
        return self._lines[y] if y < len(self._lines) else Strip.blank(self.size.width)
