"""Formulas written three ways from one template: in symbols, for one element, with numbers.

A template is text with `{fields}`: `{b1}·{m} + (1 − {b1})·{grad}`. Each field is bound to a
term: a quantity (`Name`) or a constant (`Constant`, such as β₁ = 0.9). The same template
then gives the whole formula (`β₁·m_W1 + (1 − β₁)·grad_W1`), one element of it
(`β₁·m_W1[0,1] + (1 − β₁)·grad_W1[0,1]`) and that element with the numbers substituted
(`0.9 × 0.5 + (1 − 0.9) × (−0.25)`). Its LaTeX is a second template with the same fields;
a brace that does not hold a bound field's name is LaTeX's own (`\\frac{1}{2}`). Its code is a
third template in the same fields: the formula as a NumPy expression over whole arrays
(`{b1} * {m} + (1 - {b1}) * {grad}`), which a notebook runs to recompute the step.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from stepnet.engine.names import Name
from stepnet.engine.notation import Fmt, element, signed

Array = np.ndarray
Values = Mapping[Name, Array]
#: (values before the op, element index, number format) -> the right-hand sides, symbols first
Explainer = Callable[[Values, tuple[int, ...], Fmt], list[str]]

_FIELD = re.compile(r"\{([A-Za-z_]\w*)\}")


class Constant(NamedTuple):
    """A fixed number with its symbol: η = 0.5, β₁ = 0.9."""

    symbol: str
    tex: str
    value: float


#: a definition without constants
NO_CONSTANTS: Mapping[str, Constant] = MappingProxyType({})


#: what a field stands for: a quantity, a number with a symbol, or literal text (the same
#: in every rendering, such as LaTeX's a^{(2)}_{sj} for "one element of a2")
Term = Name | Constant | str
Terms = Mapping[str, Term]


def at(value: Array, index: Sequence[int]) -> float:
    """A term's element for the output's `index`: the trailing indices a term of fewer
    dimensions has (a scalar such as lr has none)."""
    value = np.asarray(value)
    return float(value[tuple(index[len(index) - value.ndim:])] if value.ndim else value)


class Expression(NamedTuple):
    """A formula's right-hand side as a template, in text and in LaTeX."""

    text: str
    latex: str = ""
    #: NumPy over whole arrays, the names as variables: "{b1} * {m} + (1 - {b1}) * {grad}"
    code: str = ""

    def symbols(self, terms: Terms) -> str:
        """In symbols, for the whole quantity: `β₁·m_W1 + (1 − β₁)·grad_W1`."""
        return _fill(self.text, terms, lambda t, _: str(t) if isinstance(t, Name) else t.symbol)

    def element(self, terms: Terms, values: Values, index: Sequence[int]) -> str:
        """In symbols, for one element: `β₁·m_W1[0,1] + (1 − β₁)·grad_W1[0,1]`."""
        def name(t: Name | Constant, _: bool) -> str:
            if not isinstance(t, Name):
                return t.symbol
            ndim = np.ndim(values[t])
            return element(str(t), tuple(index[len(index) - ndim:]) if ndim else ())

        return _fill(self.text, terms, name)

    def numbers(self, terms: Terms, values: Values, index: Sequence[int], fmt: Fmt) -> str:
        """One element with the numbers substituted: `0.9 × 0.5 + (1 − 0.9) × (−0.25)`; a
        negative number in parentheses, unless the template already encloses it: `sign(−0.5)`."""
        def number(t: Name | Constant, enclosed: bool) -> str:
            x = at(values[t], index) if isinstance(t, Name) else t.value
            return fmt(x) if enclosed else signed(x, fmt)

        return _fill(self.text.replace("·", " × "), terms, number)

    def tex(self, terms: Terms) -> str:
        """In LaTeX, for the whole quantity."""
        return _fill(self.latex, terms, lambda t, _: t.latex() if isinstance(t, Name) else t.tex)

    def python(self, terms: Terms) -> str:
        """As NumPy code: each quantity by its name, each constant by its value."""
        return python(self.code, terms)

    def constants(self, terms: Terms) -> list[Constant]:
        """The constants it names, in the order they first appear."""
        named = [terms.get(f) for f in dict.fromkeys(_FIELD.findall(self.text + self.latex))]
        return [t for t in named if isinstance(t, Constant)]

    def explainer(self, terms: Terms) -> Explainer:
        """How an elementwise op writes one element out: in symbols, then with numbers."""
        return lambda v, i, f: [self.element(terms, v, i), self.numbers(terms, v, i, f)]


def legend(constants: Iterable[Constant]) -> str:
    """The constants a formula uses, with their values, to follow it: `   (β₁ = 0.9, η = 0.001)`."""
    shown = [f"{c.symbol} = {c.value:g}" for c in constants]
    return f"   ({', '.join(shown)})" if shown else ""


def tex_legend(constants: Iterable[Constant]) -> str:
    """The same in LaTeX: `, \\qquad \\beta_1 = 0.9,\\ \\eta = 0.001`."""
    shown = r",\ ".join(f"{c.tex} = {c.value:g}" for c in constants)
    return rf", \qquad {shown}" if shown else ""


def python(template: str, terms: Terms) -> str:
    """A code template with each quantity written as its variable and each constant as its
    exact value (a negative one in parentheses: `(-0.5) ** t`); a literal term as it is."""
    def show(t: Name | Constant, _: bool) -> str:
        if isinstance(t, Name):
            return str(t)
        value = repr(t.value if type(t.value) is int else float(t.value))
        return f"({value})" if value.startswith("-") else value

    return _fill(template, terms, show)


def grouped(code: str) -> str:
    """`code` as one operand of a larger expression: in parentheses unless it is a name, a
    number or a single call (`np.tanh(z2)`)."""
    if re.fullmatch(r"[\w.]+", code):
        return code
    call = re.fullmatch(r"[\w.]+\((.*)\)", code)
    if call and _balanced(call[1]):
        return code
    return f"({code})"


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def _fill(template: str, terms: Terms, show: Callable[[Name | Constant, bool], str]) -> str:
    """The template with each bound field shown by `show(term, enclosed)`; `enclosed` says the
    template puts the field alone between ( and ), or | and |: no parentheses needed."""
    def field(m: re.Match[str]) -> str:
        term = terms.get(m[1])
        if term is None or isinstance(term, str):
            return m[0] if term is None else term
        around = template[m.start() - 1: m.start()] + template[m.end(): m.end() + 1]
        return show(term, around in ("()", "||", "(,"))

    return _FIELD.sub(field, template)


@functools.lru_cache(maxsize=128)
def arguments_of(compute: Callable[..., object]) -> tuple[inspect.Parameter, ...]:
    """`compute`'s parameters, asked for each parameter of every program built: reading the
    signature anew was a quarter of building one. The functions are a definition's, made
    again as each scenario is read: the last few are kept."""
    return tuple(inspect.signature(compute).parameters.values())


def bind(compute: Callable[..., object], args: Sequence[Term]) -> tuple[tuple[Name, ...], Callable[..., object]]:
    """The quantities among `args` (what an op reads), and `compute` taking only them: a
    constant argument (η without a schedule) is passed its value — by keyword, through a
    C-level partial, where the constants come after every quantity (a Python wrapper cost
    each update 0.3 µs)."""
    reads = tuple(a for a in args if isinstance(a, Name))
    if len(reads) == len(args):
        return reads, compute
    fixed = [a.value if isinstance(a, Constant) else None for a in args]
    k = len(reads)
    if None not in fixed[k:]:  # the quantities first, then the constants
        parameters = arguments_of(compute)
        if len(parameters) == len(args) and all(p.kind == p.POSITIONAL_OR_KEYWORD for p in parameters):
            return reads, functools.partial(compute, **{p.name: f for p, f in zip(parameters[k:], fixed[k:])})

    def call(*values: Array) -> object:
        given = iter(values)
        return compute(*[next(given) if f is None else f for f in fixed])

    return reads, call
