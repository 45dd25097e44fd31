"""An implementation's own numbers against stepnet's: each value it recorded agrees or differs,
in the order the operations produce them, and each one that differs gets its cause from the
catalogue `check` uses (`causes.py`), with the implementation's values as the evidence.

A value of quantity q recorded for iteration k is compared right after the op that writes q
for the last time in iteration k (`replay.due`): the parameters after the iteration's update,
the whole gradient once its L2 term is added. A value that differs is `inherited` when
stepnet's operations, run on the implementation's own earlier values put in place of
stepnet's, give it: the mistake is further up. The first value that differs is where to look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from stepnet.engine.causes import INHERITED, Cause, find
from stepnet.engine.expect import Expectation
from stepnet.engine.names import Name
from stepnet.engine.notation import element
from stepnet.engine.op import frozen
from stepnet.engine.program import Program
from stepnet.engine.replay import Ancestors, Variant, due, replay

Array = np.ndarray


@dataclass(frozen=True)
class Tolerance:
    """An element agrees when |yours − stepnet's| ≤ atol + rtol·|stepnet's| (numpy.isclose's
    rule and defaults); NaN agrees with NaN, and ±Inf with itself."""

    rtol: float = 1e-5
    atol: float = 1e-8

    def close(self, yours: Array, stepnet: Array) -> Array:
        """Per element, whether it agrees."""
        return np.isclose(yours, stepnet, rtol=self.rtol, atol=self.atol, equal_nan=True)

    def __str__(self) -> str:
        return f"|yours − stepnet's| ≤ {self.atol:g} + {self.rtol:g}·|stepnet's|"


@dataclass(frozen=True)
class Record(Expectation):
    """A value the implementation recorded: a figure whose `value` is the implementation's (in
    the sign and element its name stands for), `written` its name and `where` its name in
    the file (`dz2@1`). Its `tolerance` is unused: records are compared by a `Tolerance`."""

    def place(self, value: Array) -> Array:
        """The recorded value in place of stepnet's: turned back when recorded the other way
        round, as it is when its shape is its own (∂J/∂b a row per sample)."""
        if self.index is None and self.value.shape != np.shape(value):
            own = -self.value if self.negated else self.value
            return own.T if own.T.shape == np.shape(value) else own
        return super().place(value)


def fitted(value: Array, shape: tuple[int, ...]) -> Array:
    """`value` in `shape` when it differs only by axes of length 1 (a bias recorded as a row,
    a loss as [[0.3]]); as it is otherwise."""
    if value.shape != shape and [n for n in value.shape if n != 1] == [n for n in shape if n != 1]:
        return value.reshape(shape)
    return value


@dataclass(frozen=True)
class Entry:
    """One recorded value, compared."""

    record: Record
    #: stepnet's value of it (the element its name stands for, in its sign)
    computed: Array
    #: where in the iteration it is compared: after ops[index]
    index: int
    ok: bool
    #: the largest |yours − stepnet's|; None when the shapes differ
    max_abs_diff: float | None
    #: per element, whether it differs; None when the shapes differ
    differs: Array | None
    cause: Cause | None = None
    #: for an inherited value, the earlier differing one it follows from
    inherits_from: Record | None = None

    @property
    def root(self) -> bool:
        """A value that differs and does not inherit its difference."""
        return not self.ok and self.cause is not INHERITED

    def largest(self, n: int) -> list[tuple[tuple[int, ...], float, float, float]]:
        """The `n` elements that differ most: (index, yours, stepnet's, |Δ|), largest first."""
        if self.differs is None:
            return []
        yours, stepnet = self.record.value, self.computed
        gap = np.where(self.differs, _gaps(yours, stepnet, self.differs), -1.0)
        order = np.argsort(-gap, axis=None, kind="stable")[: min(n, int(self.differs.sum()))]
        return [(idx, float(yours[idx]), float(stepnet[idx]), float(gap[idx]))
                for idx in (tuple(int(i) for i in np.unravel_index(k, gap.shape)) for k in order)]


def _gaps(yours: Array, stepnet: Array, differs: Array) -> Array:
    """|yours − stepnet's| per element: a NaN against a number is ∞, NaN against NaN 0."""
    with np.errstate(invalid="ignore"):
        gap = np.abs(yours - stepnet)
    return np.where(np.isnan(gap), np.where(differs, np.inf, 0.0), gap)


class Unusable(ValueError):
    """A recorded value that cannot be compared; the message says why."""

    def __init__(self, record: Record, message: str) -> None:
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class Comparison:
    """The recorded values compared, in the order the iterations produce them: what a view
    shows of an implementation beside stepnet (`stepnet compare`, the debugger)."""

    program: Program
    tolerance: Tolerance
    entries: tuple[Entry, ...]

    @property
    def first(self) -> Entry | None:
        """The first value that differs: where the mistake shows first."""
        return next((e for e in self.entries if not e.ok), None)

    @property
    def roots(self) -> list[Entry]:
        return [e for e in self.entries if e.root]

    @property
    def inherited(self) -> int:
        return sum(e.cause is INHERITED for e in self.entries)

    def position(self, entry: Entry) -> int:
        """The debugger's position right after the op the entry is compared after."""
        return (entry.record.iteration - 1) * len(self.program) + entry.index + 1

    def as_of(self, name: Name, position: int) -> int | None:
        """The iteration whose value of `name` (as its last writer leaves it) a debugger's state
        holds at `position`: this iteration's once that writer has run; before it, the last
        iteration's for what an iteration hands on (the parameters); None otherwise."""
        program = self.program
        if position < 1:
            return None
        done, ops = divmod(position - 1, len(program))  # iteration done + 1, its first ops + 1 run
        writer = program.last_writer.get(name)
        if writer is not None and writer <= ops:
            return done + 1
        return done if done and name in program.kept else None

    def at(self, name: Name, iteration: int) -> list[Entry]:
        """The entries of quantity `name` in `iteration` (several when its elements are recorded)."""
        return [e for e in self.entries if e.record.name == name and e.record.iteration == iteration]

    def recorded(self, name: Name, iteration: int) -> Array | None:
        """The implementation's value of the whole quantity, in stepnet's layout and sign;
        None unless it was recorded whole, in stepnet's shape."""
        for e in self.at(name, iteration):
            if e.record.index is None and e.differs is not None:
                return -e.record.value if e.record.negated else e.record.value
        return None

    def differing(self, name: Name, iteration: int, shape: tuple[int, ...]) -> Array | None:
        """Per element of the quantity (of that `shape`), whether a recorded value of it
        differs from stepnet's; None when none of it was recorded comparably."""
        mask, seen = np.zeros(shape, dtype=bool), False
        for e in self.at(name, iteration):
            if e.differs is None:
                continue
            seen = True
            if e.record.index is None:
                mask |= e.differs.reshape(shape)
            else:
                mask[e.record.index] |= bool(e.differs.any())
        return frozen(mask) if seen else None


class _Recorded:
    """The `Evidence` the catalogue asks of an implementation's records: stepnet's values and
    replays of the program, with every record put in place of stepnet's value as it is read
    (`from_stated`), or another way (`under`). Nothing here is rounded."""

    def __init__(self, program: Program, records: Sequence[Record], tolerance: Tolerance) -> None:
        self.program = program
        self.figures = list(records)
        self.tolerance = tolerance
        self.position = [(r.iteration, due(program.ops, r.name)) for r in self.figures]
        self.iterations = range(1, max((r.iteration for r in self.figures), default=0) + 1)
        self.exacts = replay(program.ops, program.model.initial_state(), self.iterations, self.figures)
        self.entries: dict[int, Entry] = {}  # so far, in the order judged
        self.roots: list[int] = []  # those of them that differ and do not inherit it
        self._culprits: dict[int, list[int]] = {}
        self._stated: dict[str, dict[int, Array]] = {}
        self._variants: dict[str, dict[int, Array]] = {}

    def expectation(self, f: int) -> Expectation:
        return self.figures[f]

    def exact(self, f: int) -> Array:
        return np.asarray(self.exacts[f])

    def from_stated(self, f: int, contradicted: bool, rounded: bool, variant: Variant | None = None) -> Array | None:
        if rounded or not contradicted:  # recorded values are not rounded
            return None
        key = variant.key if variant else ""
        if key not in self._stated:  # every record put in place: f sees those read before it
            self._stated[key] = self._replay(variant or Variant(""), substitute=range(len(self.figures)))
        return self._stated[key].get(f)

    def under(self, f: int, variant: Variant) -> Array | None:
        if variant.key not in self._variants:
            self._variants[variant.key] = self._replay(variant)
        return self._variants[variant.key].get(f)

    def _replay(self, variant: Variant, substitute: range = range(0)) -> dict[int, Array]:
        initial = variant.initial(self.program.model.initial_state())
        return replay(variant.ops(self.program.ops), initial, self.iterations, self.figures, substitute)

    def culprits(self, f: int) -> list[int]:
        """The errors judged so far (all before f) that flow into f; asked while f is judged."""
        if f not in self._culprits:
            flows = Ancestors(self.program.ops, *self.position[f])
            self._culprits[f] = [g for g in self.roots if self.position[g] < self.position[f]
                                 and self.position[g] in flows and self.figures[g].name in self.program.last_writer]
        return self._culprits[f]

    def reproduces(self, f: int, value: Array) -> bool:
        """Whether `value` of the record's quantity gives the recorded value."""
        record = self.figures[f]
        got = record.pick(value)
        return got.shape == record.value.shape and bool(self.tolerance.close(record.value, got).all())

    def judge(self, f: int) -> Entry:
        record, index = self.figures[f], self.position[f][1]
        computed = record.pick(self.exact(f))
        if record.value.shape != computed.shape:
            found = find(self, f, lambda value: self.reproduces(f, value))
            if found is None:
                raise Unusable(record, f"expected {_shape(computed.shape)} for "
                                       f"{element(str(record.name), record.index or ())}, "
                                       f"got {_shape(record.value.shape)}, and no cause in the catalogue explains "
                                       "that shape")
            return Entry(record, computed, index, False, None, None, found, self._source(f, found))
        if (bad := np.isnan(record.value) & np.isfinite(computed)).any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise Unusable(record, "holds NaN where stepnet's value is a number"
                                   + (f" (at {list(where)})" if where else ""))
        differs = ~self.tolerance.close(record.value, computed)
        largest = float(np.max(_gaps(record.value, computed, differs), initial=0.0))
        if not differs.any():
            return Entry(record, computed, index, True, largest, differs)
        found = find(self, f, lambda value: self.reproduces(f, value))
        return Entry(record, computed, index, False, largest, differs, found, self._source(f, found))

    def _source(self, f: int, found: Cause | None) -> Record | None:
        return self.figures[self.culprits(f)[-1]] if found is INHERITED else None


def _shape(shape: tuple[int, ...]) -> str:
    return f"shape {'×'.join(map(str, shape))}" if shape else "a number"


def compare(program: Program, records: Sequence[Record], tolerance: Tolerance = Tolerance()) -> Comparison:
    """Every record compared with stepnet's value, in the order the iterations produce them,
    and each that differs given its cause. A record whose shape differs only by axes of
    length 1 is read in stepnet's. Raises `Unusable` for the first record that cannot be
    compared: NaN where stepnet has a number, a shape no cause explains."""
    batch = {r.iteration: len(program.data.rows(r.iteration)) for r in records}
    records = [replace(r, value=fitted(r.value, () if r.index is not None else
                                       program.shape(r.name, batch[r.iteration]))) for r in records]
    evidence = _Recorded(program, records, tolerance)
    for f in sorted(range(len(records)), key=lambda f: (evidence.position[f], f)):
        evidence.entries[f] = evidence.judge(f)
        if evidence.entries[f].root:
            evidence.roots.append(f)
    return Comparison(program, tolerance, tuple(evidence.entries.values()))
