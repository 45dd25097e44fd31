"""Reading hand-written TOML tables field by field, with messages that name the field.

`Table` wraps one TOML table and its dotted path (`network.layers[1]`); every getter
checks the type and says what was expected. Unknown keys are refused with a
"did you mean" suggestion where a known key is close.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from stepnet.errors import ScenarioError

if TYPE_CHECKING:
    from stepnet.engine.registry import Option

REQUIRED = object()

#: names people reach for that are not close in spelling to the key they mean
SYNONYMS = {"lr": "learning_rate", "eta": "learning_rate", "neurons": "units", "size": "units",
            "act": "activation", "tol": "tolerance", "expected": "value", "x": "inputs", "y": "targets"}

#: a TOML key that needs no quotes
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_text(key: str) -> str:
    """A key as TOML writes it: bare when it can be, quoted (and escaped) otherwise."""
    return key if BARE_KEY.fullmatch(key) else string_text(key)


def string_text(text: str) -> str:
    """A string as TOML writes it: in double quotes, escaped (JSON's escapes are TOML's, but
    JSON leaves DEL, U+007F, as it is, which TOML refuses)."""
    import json  # only for a string written

    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def finite(v: Any) -> bool:
    """A number that is not NaN or ±Inf and fits a float (TOML integers may not)."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def count(n: int, noun: str) -> str:
    """`n` and the noun, plural unless n is 1: `1 sample`, `1,000 samples`."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def describe(value: Any) -> str:
    """How a TOML value is named in a message: `a string ("abc")`, `a table`, …"""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})" if value.bit_length() <= 64 else "an integer too large for 64 bits"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return f"a list of {count(len(value), 'item')}"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """` — did you mean 'x'?` for the closest known word (case aside), or nothing if none is close."""
    import difflib  # imported for a mistake only

    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" — did you mean {by_lower[close[0]]!r}?" if close else ""


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Table:
    def __init__(self, path: Path, where: str, table: dict[str, Any], known: Iterable[str]) -> None:
        self.path = path
        self.where = where
        self.table = table
        known = list(known)
        for key in table:
            if key not in known:
                synonym = SYNONYMS.get(key.lower())
                hint = (did_you_mean(key, known) or (f" — did you mean {synonym!r}?" if synonym in known else "")
                        or f" (known keys: {', '.join(known)})")
                raise self.error(key, f"unknown key{hint}")

    def field(self, key: str) -> str:
        return f"{self.where}.{key_text(key)}" if self.where else key_text(key)

    def error(self, key: str | None, message: str) -> ScenarioError:
        return ScenarioError(self.path, self.field(key) if key else self.where, message)

    def __contains__(self, key: str) -> bool:
        return key in self.table

    def raw(self, key: str, default: Any = REQUIRED) -> Any:
        if key in self.table:
            return self.table[key]
        if default is REQUIRED:
            raise self.error(key, "missing: this field is required")
        return default

    def get(self, key: str, check: Callable[[Any], bool], expected: str, default: Any = REQUIRED) -> Any:
        value = self.raw(key, default)
        if key in self.table and not check(value):
            raise self.error(key, f"expected {expected}, got {describe(value)}")
        return value

    def string(self, key: str, default: Any = REQUIRED, choices: Iterable[str] | None = None) -> str:
        choices = list(choices) if choices is not None else None
        expected = f"one of {', '.join(repr(c) for c in choices)}" if choices else "a string"
        value = self.get(key, lambda v: isinstance(v, str), expected, default)
        if choices and value not in choices:
            raise self.error(key, f"expected {expected}, got {describe(value)}{did_you_mean(str(value), choices)}")
        return value

    def integer(self, key: str, default: Any = REQUIRED, minimum: int | None = None) -> int:
        expected = "an integer" + (f" ≥ {minimum}" if minimum is not None else "")
        return self.get(
            key,
            lambda v: isinstance(v, int) and not isinstance(v, bool) and (minimum is None or v >= minimum),
            expected, default,
        )

    @overload
    def number(self, key: str, default: float = ..., *, positive: bool = ...,
               at_least: float | None = ..., below: float | None = ...) -> float: ...

    @overload
    def number(self, key: str, default: None, *, positive: bool = ...,
               at_least: float | None = ..., below: float | None = ...) -> float | None: ...

    def number(self, key: str, default: Any = REQUIRED, positive: bool = False,
               at_least: float | None = None, below: float | None = None) -> float | None:
        """A finite number as float, in the range given (as `number_in` an option's); a missing
        optional field gives `default` (None stays None)."""
        from stepnet.engine.registry import Option

        return self.number_in(Option(key, 0.0, positive, at_least, below), default)

    @overload
    def number_in(self, option: Option, default: float = ...) -> float: ...

    @overload
    def number_in(self, option: Option, default: None) -> float | None: ...

    def number_in(self, option: Option, default: Any = REQUIRED) -> float | None:
        """The number named `option.name`, as float, in the option's range (an optimizer's or an
        activation's setting, `engine.registry.Option`); a missing optional field gives `default`."""
        value = self.get(option.name, lambda v: is_number(v) and finite(v) and option.allows(v), option.expected(),
                         default)
        return None if value is None else float(value)

    def boolean(self, key: str, default: Any = REQUIRED) -> bool:
        return self.get(key, lambda v: isinstance(v, bool), "true or false", default)

    def names(self, key: str, known: Sequence[str], noun: str, plural: str, example: str) -> list[str]:
        """A list of names among `known`, each once (optional, default none):
        frozen = ["b1", "b2"], parameters = ["theta"]."""
        names = self.get(key, lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                         f"a list of {noun} names such as {example}", [])
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.error(key, f"{name!r} is listed twice; name each {noun} once")
            if name not in known:
                raise self.error(key, f"no {noun} named {name!r}{did_you_mean(name, known)} "
                                      f"(the {plural} are {', '.join(known)})")
        return names

    def table_(self, key: str, known: Iterable[str], default: Any = REQUIRED) -> Table:
        value = self.get(key, lambda v: isinstance(v, dict), f"a table [{self.field(key)}]", default)
        return Table(self.path, self.field(key), value if value is not None else {}, known)

    def tables(self, key: str, known: Iterable[str], required: bool = True) -> list[Table]:
        value = self.get(key, lambda v: isinstance(v, list) and all(isinstance(t, dict) for t in v),
                         f"tables [[{self.field(key)}]]", REQUIRED if required else [])
        if required and not value:
            raise self.error(key, f"expected at least one [[{self.field(key)}]] table")
        return [Table(self.path, f"{self.field(key)}[{i}]", t, known) for i, t in enumerate(value)]


def array(table: Table, key: str, value: Any, ndim: int, what: str) -> np.ndarray:
    """A rectangular list of finite numbers as float64, or a message naming the field."""
    def walk(v: Any, depth: int) -> None:
        if depth == ndim:
            if not is_number(v):
                raise table.error(key, f"expected {what}, found {describe(v)} where a number belongs")
            if not finite(v):
                shown = v if isinstance(v, float) else "an integer too large for a float"
                raise table.error(key, f"expected {what}, found {shown} where a finite number belongs")
            return
        if not isinstance(v, list):
            where = " where a list belongs" if depth else ""
            raise table.error(key, f"expected {what}, {'found' if depth else 'got'} {describe(v)}{where}")
        for item in v:
            walk(item, depth + 1)

    walk(value, 0)
    try:
        result = np.array(value, dtype=np.float64)
    except ValueError:
        raise table.error(key, f"expected {what}, but its rows have different lengths") from None
    if result.size == 0:
        raise table.error(key, f"expected {what}, got an empty list")
    if result.ndim != ndim:
        raise table.error(key, f"expected {what}, but its rows have different lengths")
    return result
