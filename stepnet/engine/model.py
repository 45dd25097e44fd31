"""What the engine trains: layers, loss, optimizer, initial parameters and the data.

These are plain, already-validated values; `stepnet.scenario` builds them from a file.
Every array they hold is made read-only: nothing may change them in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from stepnet.engine.activations import Activation
from stepnet.engine.losses import Loss, Reduction
from stepnet.engine.names import TARGETS, Name, derived
from stepnet.engine.op import frozen
from stepnet.engine.optimizers import OPTIMIZERS, SCHEDULES, Rule, Schedule
from stepnet.engine.registry import Option

if TYPE_CHECKING:
    from stepnet.engine.op import Op

Array = np.ndarray


@dataclass(frozen=True)
class Layer:
    """A dense layer: its units, activation, whether it has a bias, its dropout."""

    units: int
    activation: Activation
    bias: bool = True
    #: probability of dropping a unit in training (inverted dropout); 0 = none
    dropout: float = 0.0


#: the learning rate's range: the scenario reader and an edit of the rate hold it alike
RATE = Option("learning_rate", 0.1, positive=True)


@dataclass(frozen=True)
class Optimizer:
    """The update: a rule, the learning rate, the parameters it leaves alone, a schedule."""

    rule: Rule = field(default_factory=lambda: OPTIMIZERS.make("sgd"))
    learning_rate: float = 0.1
    frozen: frozenset[Name] = frozenset()
    #: ηₜ from η; None: η throughout
    schedule: Schedule | None = None

    @property
    def kind(self) -> str:
        return self.rule.name

    def describe(self) -> str:
        """`adam, η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-08`, its schedule and what is frozen."""
        constants = [*self.rule.constants.values(), *(self.schedule.constants.values() if self.schedule else ())]
        text = ", ".join([self.kind, f"η = {self.learning_rate:g}", *(f"{c.symbol} = {c.value:g}" for c in constants)])
        if self.schedule:
            rate = self.schedule.expression.symbols({"eta": "η", "t": "t", **self.schedule.constants})
            text += f", {self.schedule.name} schedule ηₜ = {rate}"
        return text + (f"; not updated: {', '.join(sorted(map(str, self.frozen)))}" if self.frozen else "")

    @classmethod
    def of(cls, kind: str = "sgd", learning_rate: float = 0.1, frozen: Iterable[str] = (),
           schedule: tuple[str, Mapping[str, object]] | None = None, **options: object) -> Optimizer:
        """An optimizer as a scenario names it: Optimizer.of("adam", 0.001, beta1=0.8)."""
        return cls(OPTIMIZERS.make(kind, options), learning_rate, frozenset(map(Name.parse, frozen)),
                   SCHEDULES.make(*schedule) if schedule else None)


@dataclass(frozen=True)
class Model:
    """A layered network: its layers, loss, optimizer and initial parameters."""

    inputs: int
    layers: tuple[Layer, ...]
    #: None: no loss, and an iteration ends after the forward pass
    loss: Loss | None
    reduction: Reduction
    #: None: no update, and an iteration ends after the backward pass
    optimizer: Optimizer | None
    #: W1, b1, W2, … as they are before the first iteration
    initial: Mapping[Name, Array] = field(repr=False)
    #: seeds the dropout masks
    seed: int = 0
    #: λ of the L2 penalty (λ/2)·Σₗ‖Wˡ‖² on the weights; 0 = none
    l2: float = 0.0
    #: the update phase also writes each parameter's change, update_θ = θ_new − θ_old, as an
    #: op of its own (for sources that state ΔW); off, an update is one op per step
    changes: bool = False
    #: ∂J/∂a⁰ as the last backward operation (saliency)
    input_gradient: bool = False

    def __post_init__(self) -> None:
        for value in self.initial.values():
            frozen(value)

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def fused_softmax_cross_entropy(self) -> bool:
        """Softmax output with cross-entropy: δ^L = (p − y)/B in one step."""
        return (self.loss is not None and self.layers[-1].activation.name == "softmax"
                and self.loss.name == "cross_entropy")

    @property
    def trains(self) -> bool:
        """Whether an iteration goes all the way to the update: it has a loss and an optimizer."""
        return self.loss is not None and self.optimizer is not None

    def parameter_names(self) -> list[Name]:
        """W1, b1, W2, b2, … in update order (layers without bias have no b)."""
        names = []
        for l, layer in enumerate(self.layers, start=1):
            names.append(Name("W", l))
            if layer.bias:
                names.append(Name("b", l))
        return names

    def trained_parameters(self) -> list[Name]:
        """The parameters the update phase changes: none without a loss and an optimizer."""
        if self.optimizer is None or self.loss is None:
            return []
        frozen = self.optimizer.frozen
        return [n for n in self.parameter_names() if n not in frozen]

    def _slots(self) -> tuple[str, ...]:
        """The state the optimizer keeps per trained parameter (v of momentum, m and v of adam)."""
        return self.optimizer.rule.state if self.optimizer is not None else ()

    def state_names(self) -> list[Name]:
        """What survives from one iteration to the next: the parameters and the optimizer's state."""
        return self.parameter_names() + [derived(slot, name) for name in self.trained_parameters()
                                         for slot in self._slots()]

    def initial_state(self) -> dict[Name, Array]:
        """The parameters as given, and the optimizer's state at zero."""
        state = {name: self.initial[name] for name in self.parameter_names()}
        for name in self.trained_parameters():
            for slot in self._slots():
                state[derived(slot, name)] = frozen(np.zeros_like(self.initial[name]))
        return state

    def count_parameters(self) -> int:
        return sum(self.initial[name].size for name in self.parameter_names())

    def dropout_mask(self, layer: int, iteration: int, batch: int) -> Array:
        """Layer `layer`'s inverted-dropout mask in iteration `iteration`: 1/(1 − p) for a kept
        unit, 0 for a dropped one. Drawn from (seed, iteration, layer), so replay redraws it."""
        p = self.layers[layer - 1].dropout
        rng = np.random.default_rng([self.seed, iteration, layer])
        return (rng.random((batch, self.layers[layer - 1].units)) >= p) / (1.0 - p)

    def dropout_code(self, layer: int, batch: Name) -> str:
        """`dropout_mask` as NumPy code, for the iteration `t` and the batch of `batch`'s rows."""
        p, units = self.layers[layer - 1].dropout, self.layers[layer - 1].units
        return (f"(np.random.default_rng([{self.seed}, t, {layer}]).random((len({batch}), {units})) >= {p!r})"
                f" / (1.0 - {p!r})")

    def without_dropout(self) -> Model:
        """The network as evaluated at test time: every unit kept."""
        if not any(layer.dropout for layer in self.layers):
            return self
        return replace(self, layers=tuple(replace(layer, dropout=0.0) for layer in self.layers))

    # --- what a program asks of it (`trainable.Trainable`) ------------------------------

    def operations(self, data: Dataset) -> list[Op]:
        from stepnet.engine import network  # it builds on this module

        return network.operations(self, data)

    def kinks(self) -> list[Name]:
        """The weighted sums of the layers whose activation has a kink (ReLU's z)."""
        return [Name("z", l) for l, layer in enumerate(self.layers, start=1) if layer.activation.kink]

    def score(self, values: Mapping[Name, Array]) -> tuple[float, float | None]:
        """The mean per-sample loss ℓ (whatever the reduction) and the accuracy when classifying."""
        from stepnet.engine.metrics import accuracy, is_classification  # they build on this module

        assert self.loss is not None, "an evaluation needs a loss"
        p, y = values[Name("a", self.depth)], values[TARGETS]
        return float(np.mean(self.loss.per_sample(p, y))), accuracy(p, y) if is_classification(self, y) else None


@dataclass(frozen=True)
class Dataset:
    """The samples, read-only, and how they are cut into batches."""

    inputs: Array  # samples × inputs
    targets: Array  # samples × outputs
    batch_size: int = 1
    shuffle: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        frozen(self.inputs)
        frozen(self.targets)

    @property
    def samples(self) -> int:
        return len(self.inputs)

    @property
    def batches(self) -> int:
        return -(-self.samples // self.batch_size)

    def rows(self, iteration: int) -> Array:
        """Sample indices of the batch iteration `iteration` (1-based) trains on.

        Iteration k uses batch (k − 1) mod n_batches of the epoch it falls in; with
        shuffling, every epoch has its own permutation drawn from (seed, epoch), so any
        iteration's batch can be found again without replaying the ones before it.
        """
        if not self.shuffle:
            return np.arange(self.samples)[self._window(iteration)]
        epoch = (iteration - 1) // self.batches
        return np.random.default_rng([self.seed, epoch]).permutation(self.samples)[self._window(iteration)]

    def batch(self, iteration: int) -> tuple[Array, Array]:
        """The batch's inputs and targets, read-only: in file order a slice of the data (a view,
        read-only as the data is), shuffled a copy."""
        if not self.shuffle:
            window = self._window(iteration)
            return self.inputs[window], self.targets[window]
        rows = self.rows(iteration)
        return frozen(self.inputs[rows]), frozen(self.targets[rows])

    def code(self, into: Name, y: Name | None) -> str:
        """`batch` as NumPy code, as the batch's formula names the data (a0 = x[batch], y =
        targets[batch]): iteration t's rows of the arrays `x` and `targets` into `into` and `y`
        (no y: the inputs alone)."""
        def take(rows: str) -> str:
            return f"{into}, {y} = x[{rows}], targets[{rows}]" if y else f"{into} = x[{rows}]"

        if self.batches == 1 and not self.shuffle:
            return f"{into}, {y} = x, targets" if y else f"{into} = x"
        start = f"start = (t - 1) % {self.batches} * {self.batch_size}"
        if not self.shuffle:
            return f"{start}\n{take(f'start:start + {self.batch_size}')}"
        return (f"order = np.random.default_rng([{self.seed}, (t - 1) // {self.batches}]).permutation({self.samples})\n"
                f"{start}\n{take(f'order[start:start + {self.batch_size}]')}")

    def whole(self) -> Dataset:
        """Every sample in one batch, in file order: what an evaluation runs on."""
        return Dataset(self.inputs, self.targets, self.samples)

    def _window(self, iteration: int) -> slice:
        """Where the iteration's batch lies within its epoch's order of the samples."""
        b = (iteration - 1) % self.batches
        return slice(b * self.batch_size, (b + 1) * self.batch_size)
