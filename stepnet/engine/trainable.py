"""What a program is built from: a layered network (`model.Model`) or a computation graph
(`graph.Graph`). The program, the debugger, the gradient check and the evaluation ask only
this of it, so they run either without knowing which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import numpy as np

from stepnet.engine.names import Name

if TYPE_CHECKING:
    from stepnet.engine.model import Dataset, Optimizer
    from stepnet.engine.op import Op

Array = np.ndarray


class Trainable(Protocol):
    @property
    def optimizer(self) -> Optimizer | None:
        """None: an iteration ends after the backward pass."""
        ...

    def parameter_names(self) -> list[Name]:
        """What the gradient check differentiates J by, each θ with its ∂J/∂θ as grad(θ):
        a network's weights and biases, every leaf of a graph."""
        ...

    def trained_parameters(self) -> list[Name]:
        """What the optimizer updates."""
        ...

    def state_names(self) -> list[Name]:
        """What survives from one iteration to the next."""
        ...

    def initial_state(self) -> dict[Name, Array]:
        ...

    def without_dropout(self) -> Trainable:
        """As evaluated at test time."""
        ...

    def operations(self, data: Dataset) -> list[Op]:
        """The ops of one iteration, in order: the first one starts the iteration (it clears
        the last iteration's quantities and writes t); one of them writes `loss`, J."""
        ...

    def kinks(self) -> list[Name]:
        """Quantities at whose 0 a derivative jumps (ReLU's input): a finite difference that
        moves one across 0 measures neither side."""
        ...

    def score(self, values: Mapping[Name, Array]) -> tuple[float, float | None]:
        """The loss and accuracy (None when nothing is classified) that an evaluation over the
        whole data set reports, from the values of its iteration."""
        ...
