"""What every part of the debugger screen is: a widget that shows the session's state.

The screen holds the session's `Moment` (position, selection, digits, breakpoints) as a
reactive attribute and binds each part's `moment` to it. A part says what it shows depends
on (`shows`); when that changes it asks Textual to paint it again (`show`), and draws its
lines only when Textual asks for them: once per painted frame, however many keys came
before it. While a run moves the engine in a worker thread, parts show what they last drew.

A part's lines are pieces of text, each in a style of its component classes (so, of the
theme), made into Textual's strips directly: building them as rich content and having
Textual lay it out cost more than a key's whole budget (bench/tui.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from stepnet.tui.session import Moment, Session

#: text and its style: "" (the part's), a component class's name, or a style of its own
Piece = tuple[str, "str | Style"]
Line = list[Piece]


def wrap(line: Line, width: int) -> list[Line]:
    """A line as lines of at most `width` cells, broken at spaces where it is too long (the
    spaces it breaks at are dropped; not at hyphens: a minus is none). Cells are counted as
    characters: the text is math."""
    text = "".join(text for text, _ in line)
    if len(text) <= width or width < 1:
        return [line]
    segments = [Segment(text, style) for text, style in line if text]  # type: ignore[arg-type]
    cuts, end = [], 0
    for piece in textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False,
                               break_on_hyphens=False):
        start = text.index(piece, end)  # each piece is the text's, in order: cut the styles there
        end = start + len(piece)
        cuts += [start, end]
    return [[(s.text, s.style) for s in part] for part in list(Segment.divide(segments, cuts))[1::2]]  # type: ignore[misc]


def head(line: Line, length: int) -> Line:
    """The line's first `length` characters."""
    pieces: Line = []
    for text, style in line:
        if length <= 0:
            break
        pieces.append((text[:length], style))
        length -= len(text)
    return pieces


def cut(line: Line, length: int) -> Line:
    """The line's first `length` characters, the last of them `…` if it had more: a weighted
    sum of 784 terms need not be wrapped whole to show its first lines."""
    if sum(len(text) for text, _ in line) <= length:
        return line
    pieces = head(line, length - 1)
    return [*pieces, ("…", pieces[-1][1] if pieces else "")]


class Follows:
    """The moment's way into a widget (of any kind: a mixin): `shows`, then `show`."""

    moment: reactive[Moment | None] = reactive(None, repaint=False)

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._shows: Hashable = None
        self._titles = ("", "")

    def shows(self, moment: Moment) -> Hashable:
        """What the part's lines depend on: it is shown again when this changes."""
        return moment

    def show(self) -> None:
        """Take the session's state: by default, be painted again."""
        self.refresh()  # type: ignore[attr-defined]

    def watch_moment(self, moment: Moment | None) -> None:
        if moment is None or moment.running:
            return
        shows = self.shows(moment)
        if shows != self._shows:
            self._shows = shows
            self.show()

    def retitle(self, title: str | None = None, subtitle: str | None = None) -> None:
        """Set the frame's title and subtitle where they changed (setting one repaints)."""
        old_title, old_subtitle = self._titles
        title = old_title if title is None else title
        subtitle = old_subtitle if subtitle is None else subtitle
        widget = cast(Widget, self)  # a mixin of widgets
        if title != old_title:
            widget.border_title = Content(title)
        if subtitle != old_subtitle:
            widget.border_subtitle = Content(subtitle)
        self._titles = (title, subtitle)


class Part(Follows, Widget):
    """A part drawn as lines of pieces (`draw`), each line exactly the part's width."""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._strips: list[Strip] | None = None  # the lines as last drawn (None: to draw)
        self._styles: dict[str | Style, Style] = {}  # the part's style, and each piece's over it

    def draw(self) -> list[Line]:
        """The part's lines for the session's state."""
        raise NotImplementedError

    def show(self) -> None:
        """Forget the lines; Textual repaints the lines drawn last time, or all of them."""
        drawn = len(self._strips) if self._strips else None
        self._strips = None
        if drawn is None or drawn > self.size.height or not self.keeps_height:
            self.refresh()
        else:
            self.refresh(Region(0, 0, self.size.width, drawn))

    #: whether the part draws as many lines on every show: then only those are repainted, not
    #: the blank below them (a small network's box)
    keeps_height = False

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}  # a theme switch: drawn again in its colours
        self._strips = None

    def _style(self, name: str | Style) -> Style:
        style = self._styles.get(name)
        if style is None:
            if len(self._styles) > 256:  # a sparkline's colours change with every loss
                self._styles.clear()
            base = self.rich_style
            if isinstance(name, Style) or not name:
                own = name or None
            else:
                own = self.get_component_rich_style(name, partial=True)
            style = self._styles[name] = base + own if own else base
        return style

    def _strip(self, line: Line, width: int) -> Strip:
        style = self._style
        segments = [Segment("".join(text for text, _ in run), style(name))
                    for name, run in groupby((piece for piece in line if piece[0]), key=itemgetter(1))]
        return Strip(Segment.adjust_line_length(segments, width, style("")), width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        stale = self._strips is None or (self._strips and self._strips[0].cell_length != width)
        if stale and not self.session.running:  # while a run is on, what was last drawn
            self._strips = [self._strip(line, width) for line in self.draw()]
        strips = self._strips or []
        if y >= len(strips):
            return Strip.blank(width, self._style(""))
        strip = strips[y]
        return strip if strip.cell_length == width else strip.crop_extend(0, width, self._style(""))

    @property
    def text(self) -> str:
        """What the part shows, as plain text."""
        return "\n".join("".join(text for text, _ in line).rstrip() for line in self.draw())
