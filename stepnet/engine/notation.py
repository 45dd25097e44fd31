"""How numbers and element names are written in formulas, the way worked examples print them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Fmt = Callable[[float], str]

DEFAULT_DIGITS = 9


def number(x: float, digits: int = DEFAULT_DIGITS) -> str:
    """`x` with `digits` significant digits: 0.593269992, 0.000438568, 1.2e-07."""
    x = float(x)
    if x == 0.0:
        return "0"
    return f"{x:.{digits}g}"


def formatter(digits: int = DEFAULT_DIGITS) -> Fmt:
    return lambda x: number(x, digits)


def element(name: str, index: Sequence[int]) -> str:
    """`delta2[0,1]`, or the bare name for a scalar."""
    if not index:
        return name
    return f"{name}[{','.join(str(i) for i in index)}]"


def signed(x: float, fmt: Fmt) -> str:
    """A number as a term of a sum: negatives in parentheses so `a − (−b)` stays readable."""
    s = fmt(x)
    return f"({s})" if s.startswith("-") else s


def compact(value: np.ndarray | float, fmt: Fmt, limit: int = 6) -> str:
    """A one-line rendering of a value: a scalar, or a nested list cut after `limit` items."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return fmt(arr.item())

    def walk(a: np.ndarray) -> str:
        if a.ndim == 1:
            items = [fmt(v) for v in a[:limit]]
        else:
            items = [walk(row) for row in a[:limit]]
        if len(a) > limit:
            items.append(f"… {len(a) - limit} more")
        return "[" + ", ".join(items) + "]"

    return walk(arr)


def sum_of(terms: Sequence[str], total: int | None = None, limit: int = 4) -> str:
    """`t1 + t2 + …` shortened to the first `limit` terms with a count of the rest. `terms`
    may hold only the first few (at least limit + 1) of `total`: only they are formatted."""
    total = len(terms) if total is None else total
    if total <= limit + 1:
        return " + ".join(terms[:total])
    return " + ".join(terms[:limit]) + f" + … ({total - limit} more terms)"
