"""The debugger's parts on one widget, the whole screen: the board lays them out, frames them,
and repaints only the screen lines whose text changed, through Textual's line API.

Why one widget and not a widget per part: on every frame Textual renders each widget that
overlaps the area being repainted, line by line through its styles pipeline, whatever
changed in it. With the parts as seven widgets in two containers, a key on the article
network cost 2.9× an empty app's round trip (bench/tui.py); on this board, drawing
included, about 1.4×. So the parts are plain objects (`parts/part.py`) and the board is
their screen: the layout below is the one the stylesheet gave them, and the colours are
the board's component classes, so themes still apply. The board draws its own frames and
colours, so it hands Textual its lines as they are (`render_lines`), and a line is as few
segments as it can be: Textual's work for a repainted line grows with them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import is_

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from stepnet.tui.parts.expectations import ExpectationsPanel
from stepnet.tui.parts.formula import FormulaPanel
from stepnet.tui.parts.keyline import KeyLine, entries
from stepnet.tui.parts.lines import Segments, plain
from stepnet.tui.parts.loss import LossPlot
from stepnet.tui.parts.network import NetworkDiagram
from stepnet.tui.parts.part import Part, ScrollingPart
from stepnet.tui.parts.state import StateView
from stepnet.tui.parts.status import StatusBar
from stepnet.tui.parts.timeline import Timeline
from stepnet.tui.session import Session

MIN_WIDTH, MIN_HEIGHT = 80, 24  # of the terminal: below, the board shows a message instead
COMPACT_BELOW = 32  # terminal lines: below, the top parts shrink
WHEEL = 3  # lines a turn of the mouse wheel scrolls
TOO_SMALL = (f"This terminal is too small for stepnet: make it at least {MIN_WIDTH}×{MIN_HEIGHT}, "
             "or press q to quit.")


def faint(colour: RichColor | None, background: RichColor | None, alpha: float) -> RichColor | None:
    """`colour` at `alpha` over `background`: what `$colour 30%` is in Textual's CSS. A
    terminal's own default colour (the ANSI themes) cannot be blended: it stays as it is."""
    if colour is None or background is None or colour.is_default or background.is_default:
        return colour
    return (Color.from_rich_color(background) + Color.from_rich_color(colour).with_alpha(alpha)).rich_color


def fits(size: Size) -> bool:
    """Whether the parts fit on a board (a screen) of `size`; if not, it shows a message instead."""
    return size.width >= MIN_WIDTH and size.height >= MIN_HEIGHT


def layout(size: Size, network: int, expectations: int) -> dict[str, Region]:
    """Where each part goes on a board of `size`, frame included: the status line, the
    timeline, the formula, then the network beside the loss and the expectations, the state
    below taking the rest, and the keys on the last line. `network` is the diagram's height
    in lines, `expectations` the scenario's number of figures; below COMPACT_BELOW lines the
    timeline drops its phase names, the formula a line and the middle row its height, so
    that the state keeps room."""
    width, height = size
    compact = height < COMPACT_BELOW
    timeline, formula = (2, 5) if compact else (3, 6)
    # the diagram and its frame; for the expectations, the loss's two lines, the frame, a line
    # each and two for the figures just produced, up to 12
    middle = max(network + 2, 8, min(expectations + 6, 12))
    middle = min(middle, 7) if compact else middle
    side = min(44 if width >= 110 else 34, width)
    y = 1 + timeline + formula
    regions = {
        "status": Region(0, 0, width, 1),
        "timeline": Region(0, 1, width, timeline),
        "formula": Region(0, 1 + timeline, width, formula),
        "network": Region(0, y, width - side, middle),
        "loss": Region(width - side, y, side, 2),
        "expectations": Region(width - side, y + 2, side, middle - 2),
        "state": Region(0, y + middle, width, max(height - 1 - y - middle, 0)),
        "keys": Region(0, height - 1, width, 1),
    }
    board = size.region  # too small a board (it shows a message instead): cut to it
    return {name: region.intersection(board) for name, region in regions.items()}


def border(left: str, right: str, title: str, width: int, style: Style,
           right_aligned: bool = False) -> Segments:
    """A frame's top or bottom line, `width` cells, with `title` on it (cut to fit)."""
    inner = max(width - 2, 0)
    label = f" {title} "[: max(inner - 2, 0)] if title else ""
    fill = "─" * max(inner - len(label) - 1, 0)
    line = "─" * inner if not label else fill + label + "─" if right_aligned else "─" + label + fill
    return [Segment(left + line + right, style)]


class Styled(dict[Style | None, Style]):
    """A panel's style combined with each style its part's segments have: each combined once,
    not once per segment per key. Emptied past SIZE styles: the loss sparkline's colours
    change with every loss, and a long session would otherwise grow it without end."""

    SIZE = 256

    def __init__(self, style: Style) -> None:
        super().__init__()
        self.style = style

    def __missing__(self, style: Style | None) -> Style:
        if len(self) >= self.SIZE:
            self.clear()
        combined = self[style] = self.style + style
        return combined


@dataclass
class Panel:
    """A part as the board shows it: where, framed or not, in which style; what is painted."""

    part: Part
    framed: bool
    component: str  # the component class of its frame (framed) or of its lines (not framed)
    pad: int = 1  # columns of padding each side
    region: Region = Region()
    style: Style = Style()  # of its lines: the board's, and the component's if not framed
    frame: Style = Style()  # of its frame
    lines: list[Segments] = field(default_factory=list)  # as painted: region.height lines
    body: list[Segments] = field(default_factory=list)  # the part's lines they were framed from
    edges: tuple[str, Segments, str, Segments] = ("", [], "", [])  # title, top, subtitle, bottom
    blank: Segments = field(default_factory=list)  # fills the lines below the part's
    styled: Styled = field(default_factory=lambda: Styled(Style()))  # `style` and the part's styles

    @property
    def content(self) -> Region:
        """The part's own area: inside the frame and the padding."""
        x, y, width, height = self.region
        edge = 1 if self.framed else 0
        side = edge + self.pad
        return Region(x + side, y + edge, max(width - 2 * side, 0), max(height - 2 * edge, 0))

    def repaint(self) -> list[int]:
        """Paint the part's lines in view, padded and framed, in the board's style; return the
        lines (of the region) that changed. A line the part kept (the same list as last time)
        is not framed again."""
        part, content = self.part, self.content
        view = part.view()
        if len(view) < content.height:
            if not self.blank or len(self.blank[0].text) != content.width:
                self.blank = [Segment(" " * content.width)]
            view = view + [self.blank] * (content.height - len(view))
        title, top, subtitle, bottom = self.edges
        if (len(view) == len(self.body) and all(map(is_, view, self.body))
                and (not self.framed or (part.title, part.subtitle) == (title, subtitle))):
            return []  # the part kept every line (most parts, on most keys)
        edge = 1 if self.framed else 0
        # by identity: the old lines are alive in self.body, so no new one can share an id
        kept = dict(zip(map(id, self.body), self.lines[edge:]))
        styled = self.styled
        # the padding in the frame's segment (its colour does not show on spaces): Textual's
        # work for a line grows with its segments
        pad = " " * self.pad
        if self.framed:
            left, right = [Segment("│" + pad, self.frame)], [Segment(pad + "│", self.frame)]
        else:
            left = right = [Segment(pad, self.style)] if pad else []
        lines = []
        for line in view:
            framed = kept.get(id(line))
            if framed is None:
                framed = [*left, *[Segment(text, styled[style]) for text, style, _ in line], *right]
            lines.append(framed)
        if self.framed:
            if part.title != title or not top:
                title, top = part.title, border("╭", "╮", part.title, self.region.width, self.frame)
            if part.subtitle != subtitle or not bottom:
                subtitle, bottom = part.subtitle, border("╰", "╯", part.subtitle, self.region.width, self.frame, True)
            self.edges = (title, top, subtitle, bottom)
            lines = [top, *lines, bottom][: self.region.height]
        old, self.lines, self.body = self.lines, lines, view
        if len(old) != len(lines):
            return list(range(len(lines)))
        return [y for y, (a, b) in enumerate(zip(old, lines)) if a is not b and a != b]


class Board(Widget):
    # few: Textual styles each one as a node of its own, twice at start-up (~70 µs a time)
    COMPONENT_CLASSES = {"board--frame", "board--formula-frame", "board--status", "board--keys",
                         "board--key", "board--too-small"}

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.status = StatusBar(session)
        self.timeline = Timeline(session)
        self.formula = FormulaPanel(session)
        self.network = NetworkDiagram(session)
        self.loss = LossPlot(session)
        self.expectations = ExpectationsPanel(session)
        self.state = StateView(session)
        self.keys = KeyLine(session)
        self.panels = {
            "status": Panel(self.status, False, "board--status", pad=0),
            "timeline": Panel(self.timeline, False, ""),
            "formula": Panel(self.formula, True, "board--formula-frame"),
            "network": Panel(self.network, True, "board--frame"),
            "loss": Panel(self.loss, False, ""),
            "expectations": Panel(self.expectations, True, "board--frame"),
            "state": Panel(self.state, True, "board--frame"),
            "keys": Panel(self.keys, False, "board--keys", pad=0),
        }
        self._rows: list[Strip] = []  # the board's lines as painted
        #: each line as last filtered (the line, filtered), and the filters and background used
        self._filtered: dict[int, tuple[Strip, Strip]] = {}
        self._filtered_for: tuple[Sequence[LineFilter], Color] | None = None
        self._on_line: list[list[Panel]] = []  # the panels on each line, left to right
        self._laid_out_for = Size(0, 0)

    def on_mount(self) -> None:
        self.keys.entries, self.keys.palette = entries(self.app)

    # --- what the screen calls ------------------------------------------------------

    def sync(self, message: str | None = None) -> None:
        """Show every part the engine's state (the status line `message` instead of the
        position, if given); repaint the lines that changed."""
        self.status.show(message)
        for panel in self.panels.values():
            if panel.part is not self.status:
                panel.part.show()
        self._paint()

    @property
    def fits(self) -> bool:
        return fits(self.size)

    @property
    def text(self) -> str:
        """What the board shows, as plain text."""
        return plain(self._rows)

    def scroll_part(self, part: ScrollingPart, lines: int) -> None:
        part.scroll_to(part.scroll_y + lines)
        self._paint()

    # --- layout and painting --------------------------------------------------------

    def _layout(self) -> None:
        """Place the parts for the board's size and the theme's styles; paint every line."""
        self._laid_out_for = size = self.size
        if not self.fits:
            self._rows = self._too_small(size)
            return
        regions = layout(size, self.network.height, len(self.session.scenario.expectations))
        base = self.rich_style
        components = {name: self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES}
        # as Textual's Sparkline ($primary, and 30% of it) and Footer ($foreground 20% over it)
        # have them
        primary = components["board--formula-frame"].color
        self.loss.painter = (self.app.console, faint(primary, base.bgcolor, 0.3), primary)
        footer = (base + components["board--keys"]).bgcolor
        self.keys.styles = (components["board--key"], Style(color=faint(base.color, footer, 0.2)))
        for name, panel in self.panels.items():
            component = components[panel.component] if panel.component else Style()
            panel.region = regions[name]
            panel.style, panel.frame = (base, base + component) if panel.framed else (base + component, base)
            panel.styled = Styled(panel.style)
            panel.lines, panel.body, panel.edges = [], [], ("", [], "", [])
            if panel.content.size != panel.part.size:  # not on a theme switch: the scroll stays
                panel.part.resize(panel.content.size)
        for part in (self.loss, self.keys):
            part.redraw()  # in the theme's colours
        self._on_line = [sorted((p for p in self.panels.values() if p.region.y <= y < p.region.bottom),
                                key=lambda p: p.region.x) for y in range(size.height)]
        self._rows = [Strip.blank(size.width)] * size.height
        self._paint(everything=True)

    def _too_small(self, size: Size) -> list[Strip]:
        """The message that replaces the parts, in the middle of the board."""
        style = self.rich_style + self.get_component_rich_style("board--too-small")
        lines = [Strip([Segment(line.center(size.width), style)], size.width)
                 for line in textwrap.wrap(TOO_SMALL, size.width)]
        top = max((size.height - len(lines)) // 2, 0)
        blank = Strip.blank(size.width, self.rich_style)
        return ([blank] * top + lines + [blank] * size.height)[: size.height]

    def _paint(self, everything: bool = False) -> None:
        """Paint each part's lines in view; compose the board lines that changed, refresh them."""
        if self._laid_out_for != self.size or not self.fits:
            return  # not laid out yet (the first render_line lays out and paints all), or too small
        changed: set[int] = set(range(self.size.height)) if everything else set()
        for panel in self.panels.values():
            changed.update(panel.region.y + y for y in panel.repaint())
        width = self.size.width
        for y in changed:
            self._rows[y] = Strip([s for p in self._on_line[y] for s in p.lines[y - p.region.y]], width)
        if changed and not everything:
            # a region per run of changed lines: Textual's work grows with their number
            rows = sorted(changed)
            starts = [y for i, y in enumerate(rows) if i == 0 or rows[i - 1] != y - 1]
            ends = [y + 1 for i, y in enumerate(rows) if i == len(rows) - 1 or rows[i + 1] != y + 1]
            self.refresh(*(Region(0, start, width, end - start) for start, end in zip(starts, ends)))

    def _painted(self) -> list[Strip]:
        """The board's lines as painted; laid out and painted first after a resize, a theme
        switch, or before the first paint."""
        if self._laid_out_for != self.size:
            self._layout()
        return self._rows

    def render_line(self, y: int) -> Strip:
        rows = self._painted()
        return rows[y] if y < len(rows) else Strip.blank(self.size.width)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines as painted, through the app's line filters only: the board draws its own
        frames, padding and colours, so Textual's styles pipeline (borders, padding, tint,
        opacity), which costs ~15 µs a line on every repaint, has nothing to add. Textual asks
        for every line between the first and the last that changed; each is filtered once."""
        width, rows = self.size.width, self._painted()
        filters, (_, background) = self.get_line_filters(), self.background_colors
        if self._filtered_for != (filters, background):
            self._filtered_for, self._filtered = (filters, background), {}
        strips = []
        for y in crop.line_range:
            row = rows[y] if y < len(rows) else Strip.blank(width)
            kept = self._filtered.get(y)
            if kept is None or kept[0] is not row:
                strip = row
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                kept = self._filtered[y] = (row, strip)
            strips.append(kept[1])
        x1, x2 = crop.column_span
        return strips if (x1, x2) == (0, width) else [strip.crop(x1, x2) for strip in strips]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._laid_out_for = Size(0, 0)  # a theme switch: the next paint frames in its colours

    # --- the mouse --------------------------------------------------------------------

    def _panel_at(self, x: int, y: int) -> Panel | None:
        return next((panel for panel in self.panels.values() if panel.region.contains(x, y)), None)

    def on_click(self, event: events.Click) -> None:
        if not self.fits:
            return  # the message, not the parts
        timeline, keys = self.panels["timeline"].content, self.panels["keys"].content
        if timeline.contains(event.x, event.y):
            message = self.timeline.clicked(event.x - timeline.x, event.y - timeline.y)
            if message is not None:
                self.post_message(message)
        elif keys.contains(event.x, event.y):
            key = self.keys.clicked(event.x - keys.x)
            if key is not None:
                self.app.simulate_key(key)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._wheel(event, WHEEL)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, -WHEEL)

    def _wheel(self, event: events.MouseEvent, lines: int) -> None:
        panel = self._panel_at(event.x, event.y) if self.fits else None
        if panel is not None and isinstance(panel.part, ScrollingPart):
            event.stop()
            self.scroll_part(panel.part, lines)
