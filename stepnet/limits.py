"""How much a command will read, allocate and compute before it refuses: one place per limit.

Each limit is refused up front, from what a file declares (its size, an array's header, the
network's shape), so a hostile or mistaken file ends in one line, in seconds, not in an
out-of-memory error or hours of work. Every command takes `--max-NAME N` for each (the
flags are made from this table), and the README's limits section lists them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stepnet.engine.trainable import Trainable


def _limit(default: int, refuse: str) -> int:
    return field(default=default, metadata={"help": f"refuse {refuse}"})


@dataclass(frozen=True)
class Limits:
    """The limits of one run; the defaults are generous for teaching-sized networks."""

    parameters: int = _limit(10_000_000, "networks with more parameters")
    samples: int = _limit(1_000_000, "data sets with more samples")
    #: each layer is a dozen operations, each a few microseconds of Python however small
    layers: int = _limit(100, "networks with more layers")
    #: checked by its size before the file is read, and never read further (files.read_at_most)
    file_bytes: int = _limit(10_000_000, "scenario files of more bytes")
    #: checked before parsing: tomllib's time grows with the square of a dotted key's parts
    key_parts: int = _limit(32, "TOML keys of more dotted parts (a.b.c has 3)")
    #: an .npz array's as its header and its archive declare them, before numpy allocates
    #: them; a .csv or JSON file's as a scenario file's
    data_bytes: int = _limit(1_000_000_000, "data, parameter and trace files holding more bytes (an .npz "
                                            "array's, decompressed; a .csv or JSON file's)")
    #: estimated before the command starts; a 3000-3000-1 network trains 100 iterations
    #: (9 × 10⁸) in some 20 s, so the default is minutes at most
    work: int = _limit(10_000_000_000, "commands that would compute more parameters × iterations")

    @staticmethod
    def flag(name: str) -> str:
        """`--max-NAME`, the command-line flag that overrides limit `name`."""
        return "--max-" + name.replace("_", "-")

    def exceeded(self, name: str, what: str) -> str:
        """The message refusing `what` (`3 layers`) beyond limit `name`."""
        return f"{what}, more than the limit of {getattr(self, name):,} (raise it with {self.flag(name)})"

    def too_much_work(self, command: str, parameters: int, iterations: int, why: str) -> str | None:
        """The message refusing `command`'s work, `parameters` × `iterations` (`why` says whose
        iterations they are), beyond the work limit; None within it."""
        work = parameters * iterations
        return None if work <= self.work else self.exceeded("work", (
            f"{command} would compute {parameters:,} parameters × {iterations:,} iterations ({why}) = {work:,}"))


def parameters(model: Trainable) -> int:
    """The numbers a model is differentiated by: a network's weights and biases, a graph's leaves."""
    initial = model.initial_state()
    return sum(math.prod(initial[name].shape) for name in model.parameter_names())


#: the furthest iteration the debugger goes to (--iteration, j): the ones before it are run first
MAX_GO_TO_ITERATION = 100_000

DEFAULT = Limits()
LIMITS = fields(Limits)
