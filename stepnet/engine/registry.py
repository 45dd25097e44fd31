"""The catalogues of activations, losses, optimizers and schedules a scenario can name.

Each entry is a function that makes the definition from its options, registered with the
options it takes, their defaults and their valid ranges:

    @ACTIVATIONS.define(Option("alpha", 1.0, positive=True))
    def elu(alpha: float) -> Activation: ...

The scenario reader, the docs and the error messages learn what exists from here, so a new
definition needs no other edit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Option(NamedTuple):
    """A setting taken from the scenario: its name, default and range (all bounds inclusive
    but `below`)."""

    name: str
    default: float | bool | int
    positive: bool = False
    at_least: float | None = None
    below: float | None = None

    @property
    def kind(self) -> type:
        return type(self.default)

    def expected(self) -> str:
        """What a value must be: `a finite number > 0 and < 1`."""
        conditions = ["> 0"] if self.positive else []
        if self.at_least is not None:
            conditions.append(f"≥ {self.at_least:g}")
        if self.below is not None:
            conditions.append(f"< {self.below:g}")
        return " ".join(["a finite number", " and ".join(conditions)]).strip()

    def allows(self, v: float) -> bool:
        """Whether the number `v` is in range (finite, and within the bounds)."""
        return (math.isfinite(v) and (not self.positive or v > 0) and (self.at_least is None or v >= self.at_least)
                and (self.below is None or v < self.below))


class Kind(NamedTuple, Generic[T]):
    """A named definition and the options it is made with."""

    name: str
    make: Callable[..., T]
    options: tuple[Option, ...] = ()

    def __call__(self, **given: object) -> T:
        """The definition with `given` options, the others at their defaults."""
        unknown = set(given) - {o.name for o in self.options}
        if unknown:
            raise TypeError(f"{self.name} takes no option {', '.join(sorted(unknown))}")
        return self.make(**{o.name: given.get(o.name, o.default) for o in self.options})


class Registry(dict[str, Kind[T]]):
    """Definitions by name, in the order they were defined."""

    def define(self, *options: Option, name: str | None = None) -> Callable[[Callable[..., T]], Kind[T]]:
        """Register the decorated factory under its name (or `name`)."""
        def register(make: Callable[..., T]) -> Kind[T]:
            kind = Kind(name or make.__name__, make, options)
            self[kind.name] = kind
            return kind

        return register

    def make(self, name: str, options: Mapping[str, object] | None = None) -> T:
        return self[name](**(options or {}))

    def options(self) -> dict[str, list[str]]:
        """Which definitions take each option: {"alpha": ["elu"], …}."""
        taken: dict[str, list[str]] = {}
        for kind in self.values():
            for option in kind.options:
                taken.setdefault(option.name, []).append(kind.name)
        return taken
