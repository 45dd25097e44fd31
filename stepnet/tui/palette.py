"""The colours that mark things on the debugger screen, legible in every theme offered.

Each highlight (the op's inputs, its output, the phases, ✓ and ✗, …) takes a colour of the
theme, lightened or darkened just enough to reach a contrast of 4.5:1 (WCAG AA for text)
against the theme's background, so that it still reads on a projector. They become CSS
variables (`$stepnet-read`, …) that the stylesheet gives to the screen's component classes.
Themes whose colours are the terminal's own (the ANSI ones) are not offered: their contrast
cannot be known.
"""

from __future__ import annotations

from textual.color import Color

#: contrast every highlight reaches against the background
CONTRAST = 4.5
#: each highlight and the theme colour it starts from
HIGHLIGHTS = {
    "read": "primary",  # the op's inputs
    "output": "warning",  # the op's output, and what it changed
    "forward": "success",
    "loss": "accent",
    "backward": "primary",
    "update": "warning",
    "ok": "success",
    "wrong": "error",  # ✗, NaN/Inf
    "heading": "secondary",
    "twin": "accent",  # a neuron identical to another
    "edited": "secondary",  # a value a what-if edit set
}
BLACK, WHITE = Color(0, 0, 0), Color(255, 255, 255)


def luminance(colour: Color) -> float:
    """Relative luminance (WCAG 2): 0 for black, 1 for white."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b)


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def legible(colour: Color, background: Color) -> Color:
    """`colour`, blended towards white or black (whichever stands out more from the
    background) by the least step of 5 % that reaches CONTRAST."""
    target = max((WHITE, BLACK), key=lambda end: contrast(end, background))
    for step in range(21):
        blended = colour.blend(target, step / 20)
        if contrast(blended, background) >= CONTRAST:
            return blended
    return target


def variables(theme: dict[str, str]) -> dict[str, str]:
    """The highlight variables for a theme's CSS variables (opaque colours only)."""
    background = Color.parse(theme["background"])
    return {f"stepnet-{name}": legible(Color.parse(theme[source]), background).hex
            for name, source in HIGHLIGHTS.items()}
