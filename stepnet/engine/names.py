"""Quantity names: a kind and a layer, written as the user reads them.

`Name("W", 1)` is `W1`, `Name("grad_a", 2)` is `grad_a2`, `Name("loss")` is `loss`. A name
derived from another carries a prefix on its kind: the gradient `grad_W1`, an optimizer's
state `m_W1`, `v_b2`. Every name the engine builds or reads is a `Name`; `str()` is how it
is written everywhere (trace, scenario files, the screen) and `Name.parse` reads it back.
"""

from __future__ import annotations

import re
from typing import ClassVar, NamedTuple

#: what a prefix before `_` makes of the quantity it is put on, in LaTeX ({} is that quantity)
PREFIXES = {
    "grad": r"\frac{{\partial J}}{{\partial {}}}",
    "m": "m_{{{}}}",
    "v": "v_{{{}}}",
    "mhat": r"\hat{{m}}_{{{}}}",
    "vhat": r"\hat{{v}}_{{{}}}",
    "s": "s_{{{}}}",
    "update": r"\Delta {}",
}
#: how the kinds of a network's quantities are written in LaTeX
LATEX = {"delta": r"\delta", "dact": "f'", "loss": "J", "lr": r"\eta_t", "penalty": r"\Omega"}
#: names written as the Greek letter (a graph's θ); λ is Python's lambda, never a name
GREEK = frozenset({"alpha", "beta", "gamma", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "mu", "nu",
                   "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"})

_LAYERED = re.compile(r"(.*\D)(0|[1-9]\d*)")


class _Fields(NamedTuple):
    kind: str
    layer: int | None


class Name(_Fields):
    """A quantity: its kind (`W`, `grad_a`, `m_W`, `loss`) and its layer, if it has one.

    Equal names are the same object (`Name("W", 1) is Name("W", 1)`), so a state keyed by
    names is as quick to read as one keyed by strings; comparing a name with a string is a
    mistake, and raises instead of being quietly false.
    """

    __slots__ = ()
    _made: ClassVar[dict[tuple[str, int | None], Name]] = {}

    def __new__(cls, kind: str, layer: int | None = None) -> Name:
        name = cls._made.get((kind, layer))
        if name is None:
            name = cls._made[kind, layer] = super().__new__(cls, kind, layer)
        return name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            raise TypeError(f"comparing the name {self} with the string {other!r}: use Name.parse or str()")
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    def __str__(self) -> str:
        return self.kind if self.layer is None else f"{self.kind}{self.layer}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    @classmethod
    def parse(cls, text: str) -> Name:
        """The name written `text`: trailing digits are the layer (`delta2`), and
        `str(Name.parse(t)) == t` for every t."""
        m = _LAYERED.fullmatch(text)
        return cls(m[1], int(m[2])) if m else cls(text)

    @property
    def prefix(self) -> str | None:
        """`grad` of grad_W1, `m` of m_W1; None for a name that is not derived."""
        head, _, rest = self.kind.partition("_")
        return head if rest and head in PREFIXES else None

    @property
    def base(self) -> Name:
        """What a derived name is of: W1 for grad_W1 and m_W1; the name itself otherwise."""
        prefix = self.prefix
        return self if prefix is None else Name(self.kind[len(prefix) + 1:], self.layer)

    def latex(self) -> str:
        """The quantity in LaTeX: W^{(1)}, \\delta^{(2)}, \\frac{\\partial J}{\\partial W^{(1)}}.
        Made once per name: building a program's formulas asks for it hundreds of times."""
        latex = _LATEX.get(self)
        if latex is None:
            latex = _LATEX[self] = self._latex()
        return latex

    def _latex(self) -> str:
        prefix = self.prefix
        if prefix is not None:
            return PREFIXES[prefix].format(self.base.latex())
        if self.kind == "dact":
            return f"f'(z^{{({self.layer})}})"
        if self.kind.endswith("_") and self.layer is not None:  # d_1, a step of a graph's node d
            return f"{_letters(self.kind[:-1])}_{{{self.layer}}}"
        kind = LATEX.get(self.kind) or _letters(self.kind)
        return kind if self.layer is None else f"{kind}^{{({self.layer})}}"


#: each name's LaTeX, once made (names are interned and immutable)
_LATEX: dict[Name, str] = {}


def _letters(kind: str) -> str:
    """A kind in LaTeX: one letter as it is, a Greek letter's name as the letter, a word upright."""
    return kind if len(kind) == 1 else rf"\{kind}" if kind in GREEK else rf"\mathrm{{{kind}}}"


def grad(name: Name) -> Name:
    """∂J/∂name: grad_W1 of W1."""
    return derived("grad", name)


def derived(prefix: str, name: Name) -> Name:
    """A quantity kept about another: derived("m", W1) is m_W1."""
    return Name(f"{prefix}_{name.kind}", name.layer)


LOSS, TARGETS, STEP, RATE, PENALTY = Name("loss"), Name("y"), Name("t"), Name("lr"), Name("penalty")
