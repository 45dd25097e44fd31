"""Numbers in table cells: fixed width, readable, scientific notation for the tiny and the huge."""

from __future__ import annotations

import math

import numpy as np

#: a box-drawing glyph for the arms it has (north, south, east, west): the wires of diagrams
GLYPHS = {"ew": "─", "e": "─", "w": "─", "ns": "│", "se": "╭", "sw": "╮", "ne": "╰", "nw": "╯",
          "nse": "├", "nsw": "┤", "sew": "┬", "new": "┴", "nsew": "┼"}


def width(digits: int) -> int:
    """The width every cell takes for `digits` significant digits."""
    return digits + 7


def number(x: float, digits: int, room: int) -> str:
    """`x` in at most `room` characters: `digits` significant digits (fixed or scientific
    notation, as it reads best), fewer if that is too long (a three-digit exponent), and `…`
    if even one digit is: never a number cut short, which would read as another number."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x == 0.0:
        return "0"
    for d in range(max(digits, 1), 0, -1):
        if 1e-3 <= abs(x) < 10 ** min(d, 6):
            text = f"{x:.{max(0, d - 1 - math.floor(math.log10(abs(x))))}f}"
        else:
            text = f"{x:.{d - 1}e}"
        if len(text) <= room:
            return text
    return "…"


def cell(x: float, digits: int) -> str:
    """`x` right-aligned in `width(digits)` characters, at least one space before it:
    `0.5933`, `-1.234e-07`, `-1.23e+300`, `NaN`."""
    return number(x, digits, width(digits) - 1).rjust(width(digits))


def grid_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns a quantity is drawn with: a scalar as 1×1, a vector as one row,
    a per-sample Jacobian as its first sample's matrix."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    return shape[-2], shape[-1]


def grid(value: np.ndarray) -> np.ndarray:
    """`value` as the 2-D array `grid_shape` describes (a view: nothing is computed)."""
    value = np.asarray(value)
    if value.ndim <= 1:
        return value.reshape(1, -1)
    return value[(0,) * (value.ndim - 2)]


def texts(value: np.ndarray, digits: int) -> list[list[str]]:
    """Every cell of `value` drawn as `grid` describes, as `cell` writes it."""
    return [[cell(x, digits) for x in row] for row in grid(value).tolist()]
