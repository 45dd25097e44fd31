"""A worked example's own conventions, as a scenario's `[notation]` declares them: the names
its source gives quantities and elements (w5 for W2[0,0], Err6 for −delta2[0,0]), how it
rounds the figures it prints, and how it lays out weight matrices.

Everything stepnet shows can carry the source's name beside its own, `delta2[0,0] (δ_o1)`,
so a reader can hold the screen next to the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, NamedTuple

import numpy as np

from stepnet.engine.names import Name
from stepnet.engine.notation import Fmt, element

Array = np.ndarray
Layout = Literal["out_in", "in_out"]
#: how a source prints W: units × fan_in (row i holds the weights into neuron i, stepnet's
#: own), or fan_in × units (row i holds the weights out of input i)
LAYOUTS: tuple[Layout, ...] = ("out_in", "in_out")

#: `-delta2[0,0]`: an optional minus, a quantity, an optional index
_TARGET = re.compile(r"\s*(-|−)?\s*([A-Za-z_]\w*)\s*(?:\[([\d\s,]*)\])?\s*")
#: a source's name: no space, bracket, bar, comparison or comma (which its syntax uses); not
#: starting with a minus or a digit
NAME = re.compile(r"(?!-|−|\d)[^\s\[\]|<>=,]+")


@dataclass(frozen=True)
class Alias:
    """What a name stands for: a quantity, or one element of it; negated when the source's
    figure is the negative of stepnet's (an error term (t − y)·f′ is −δ)."""

    name: Name
    index: tuple[int, ...] | None = None
    negated: bool = False

    def __str__(self) -> str:
        """As `[notation.names]` writes it: `-delta2[0,0]`."""
        return ("-" if self.negated else "") + element(str(self.name), self.index or ())

    def pick(self, value: Array) -> Array:
        """The source's figure in a value of the quantity: its element, its sign."""
        value = np.asarray(value)
        if self.index is not None:
            value = value[self.index]
        return -value if self.negated else value


def parse_target(text: str) -> tuple[bool, str, tuple[int, ...] | None]:
    """`-delta2[0,0]` → (True, "delta2", (0, 0)); a ValueError saying what is expected."""
    m = _TARGET.fullmatch(text)
    parts = m[3].split(",") if m and m[3] is not None else []
    if not m or any(not p.strip() for p in parts):
        raise ValueError(f"expected a quantity or one of its elements, such as \"W2[0,0]\", \"loss\" or "
                         f"\"-delta2[0,0]\" (the negative), got {text!r}")
    return bool(m[1]), m[2], tuple(int(p) for p in parts) if m[3] is not None else None


class Glossary(NamedTuple):
    """The source's names, in the order the scenario gives them."""

    aliases: Mapping[str, Alias] = MappingProxyType({})

    def __bool__(self) -> bool:
        return bool(self.aliases)

    def resolve(self, text: str, quantities: Iterable[Name]) -> Alias | None:
        """What `text` names: a name of the source's (which wins), or stepnet's own; None if neither."""
        if text in self.aliases:
            return self.aliases[text]
        known = {str(name): name for name in quantities}
        return Alias(known[text]) if text in known else None

    def names(self, name: Name, index: tuple[int, ...] | None = None) -> list[str]:
        """The source's names of exactly that quantity or element: `δ_o1`, `−Err6` (negated)."""
        return [("−" if a.negated else "") + written for written, a in self.aliases.items()
                if a.name == name and a.index == (index or None)]

    def beside(self, name: Name, index: tuple[int, ...] | None = None) -> str:
        """stepnet's element and the source's names for it: `delta2[0,0] (δ_o1)`, or `W1`."""
        names = self.names(name, index)
        return element(str(name), index or ()) + (f" ({', '.join(names)})" if names else "")

    def annotate(self, line: str, name: Name, index: tuple[int, ...]) -> str:
        """An element's computation, `delta2[0,0] = …`, as `delta2[0,0] (δ_o1) = …`."""
        own = element(str(name), index)
        if not line.startswith(own + " ") and line != own:
            return line
        return self.beside(name, index or None) + line[len(own):]

    def elements(self, name: Name) -> list[tuple[int, ...]]:
        """The elements of the quantity the source names, each once, in the scenario's order."""
        return list(dict.fromkeys(a.index for a in self.aliases.values() if a.name == name and a.index is not None))

    def lines(self, name: Name, value: Array, fmt: Fmt) -> list[str]:
        """The elements of a value the source names, a line each: `delta2[0,0] (δ_o1) = 0.1385`
        (a name for the whole quantity goes in its formula, by `annotate`)."""
        value = np.asarray(value)
        return [f"{self.beside(name, index)} = {fmt(float(value[index]))}" for index in self.elements(name)]


class Rounding(NamedTuple):
    """How the source rounds every figure it computes: to the decimals it prints ("stated"),
    or to a fixed number of decimals or of significant digits."""

    kind: Literal["stated", "decimals", "significant"] = "stated"
    digits: int = 0

    def apply(self, value: Array, printed: int) -> Array:
        """`value` rounded so; `printed` is the decimals the figure at hand is printed with."""
        if self.kind == "significant":
            return significant(value, self.digits)
        return np.round(value, printed if self.kind == "stated" else self.digits)

    def __str__(self) -> str:
        if self.kind == "stated":
            return "to the decimals each figure is printed with"
        return f"to {self.digits} {'decimals' if self.kind == 'decimals' else 'significant digits'}"


def significant(value: Array, digits: int) -> Array:
    """`value` rounded to `digits` significant digits, elementwise."""
    value = np.asarray(value, dtype=float)
    with np.errstate(all="ignore"):
        magnitude = np.floor(np.log10(np.abs(value)))
        scale = 10.0 ** (digits - 1 - np.where(np.isfinite(magnitude), magnitude, 0.0))
        return np.where(np.isfinite(value) & (value != 0), np.round(value * scale) / scale, value)


def printed_decimals(value: Array, limit: int = 100) -> int:
    """How many decimals a figure is printed with: the most any of its (first `limit`)
    numbers has, as it was written (0.7514 has 4, 1e-05 has 5, 3 has 0)."""
    from decimal import Decimal  # imported here: checking figures is the one use

    numbers = np.asarray(value, dtype=float).ravel()[:limit]
    # normalize(): repr writes 3 as "3.0", which has no decimal a source printed
    exponents = [Decimal(repr(float(x))).normalize().as_tuple().exponent for x in numbers if np.isfinite(x)]
    return max([-e for e in exponents if isinstance(e, int)] + [0])


class Notation(NamedTuple):
    """A scenario's `[notation]`: the layout of its W matrices, its rounding (None: figures
    are judged as exact), and its names."""

    layout: Layout = "out_in"
    rounding: Rounding | None = None
    names: Glossary = Glossary()
