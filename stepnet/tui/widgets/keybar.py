"""The footer: the keys of `keys.ACTIONS` marked for it and the command palette's, on one line.

Textual's Footer would do, but it composes one widget per key only once the screen signals
its bindings, a frame or more after the first: bench/tui.py measured the screen complete at
~135 ms instead of ~100 ms because of it. The keys here are fixed, so one line-API widget
draws them from the first frame, in the Footer's colours (its theme variables); a click on a
key presses it, as on the Footer.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.strip import Strip
from textual.widget import Widget

from stepnet.tui.keys import bindings


class KeyBar(Widget):
    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--separator"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .keybar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keybar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .keybar--separator { color: $foreground 20%; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each entry drawn
        self._line: tuple[int, Strip] | None = None  # (width, the line drawn for it)

    def _entries(self) -> tuple[list[tuple[str, str, str]], tuple[str, str, str] | None]:
        """(key, how it is written, label) of each key shown, and of the command palette's."""
        app = self.app
        shown = [(b.key.split(",")[0], app.get_key_display(b), b.description)
                 for b in bindings() if b.show]
        palette = None
        if app.ENABLE_COMMAND_PALETTE:
            key = app.COMMAND_PALETTE_BINDING
            palette = (key, app.get_key_display(Binding(key, "", key_display=app.COMMAND_PALETTE_DISPLAY)),
                       "palette")
        return shown, palette

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._line is None or self._line[0] != width:
            self._line = (width, self.draw(width))
        return self._line[1]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line = None  # a theme switch: drawn again in its colours

    def draw(self, width: int) -> Strip:
        key_style = self.get_component_rich_style("keybar--key")
        label_style = self.get_component_rich_style("keybar--description")
        base = Style(bgcolor=self.rich_style.bgcolor)  # the gaps: the background only
        shown, palette = self._entries()
        right: list[Segment] = []
        if palette is not None:  # on the right, after a thin separator, as the Footer docks it
            right = [Segment("▏", self.get_component_rich_style("keybar--separator")),
                     Segment(palette[1], key_style), Segment(f" {palette[2]}", label_style), Segment(" ", base)]
        room = width - Strip(right).cell_length
        if sum(len(display) + len(label) + 2 for _, display, label in shown) > room:
            # too narrow for every label (80 columns): the keys alone, but for help's
            shown = [(key, display, label if n == 0 else "") for n, (key, display, label) in enumerate(shown)]
        left: list[Segment] = []
        self._spans = []
        x = 0
        for key, display, label in shown:
            start = x
            left += [Segment(display, key_style), *([Segment(f" {label}", label_style)] if label else []),
                     Segment(" ", base)]
            x += len(display) + (len(label) + 1 if label else 0) + 1
            self._spans.append((start, min(x - 1, room), key))
        if palette is not None:
            self._spans.append((room, width, palette[0]))
        return Strip.join([Strip(left).crop_extend(0, room, base), Strip(right)])

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
