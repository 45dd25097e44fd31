"""What the engine trains: layers, loss, optimizer, initial parameters and the data.

These are plain, already-validated values; `stepnet.scenario` builds them from a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stepnet.engine.activations import Activation
from stepnet.engine.losses import Loss

Array = np.ndarray


@dataclass(frozen=True)
class Layer:
    units: int
    activation: Activation
    bias: bool = True
    #: probability of dropping a unit in training (inverted dropout); 0 = none
    dropout: float = 0.0


@dataclass(frozen=True)
class Optimizer:
    kind: str = "sgd"  # sgd | momentum
    learning_rate: float = 0.1
    momentum: float = 0.0
    frozen: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Model:
    inputs: int
    layers: tuple[Layer, ...]
    loss: Loss
    reduction: str
    optimizer: Optimizer
    #: W1, b1, W2, … as they are before the first iteration
    initial: dict[str, Array] = field(repr=False)
    #: seeds the dropout masks
    seed: int = 0

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def fused_softmax_cross_entropy(self) -> bool:
        """Softmax output with cross-entropy: δ^L = (p − y)/B in one step."""
        return self.layers[-1].activation.name == "softmax" and self.loss.name == "cross_entropy"

    def parameter_names(self) -> list[str]:
        """W1, b1, W2, b2, … in update order (layers without bias have no b)."""
        names = []
        for l, layer in enumerate(self.layers, start=1):
            names.append(f"W{l}")
            if layer.bias:
                names.append(f"b{l}")
        return names

    def trained_parameters(self) -> list[str]:
        return [n for n in self.parameter_names() if n not in self.optimizer.frozen]

    def state_names(self) -> list[str]:
        """What survives from one iteration to the next: parameters and velocities."""
        names = self.parameter_names()
        if self.optimizer.kind == "momentum":
            names += [f"v_{n}" for n in self.trained_parameters()]
        return names

    def dropout_mask(self, layer: int, iteration: int, batch: int) -> Array:
        """Layer `layer`'s inverted-dropout mask in iteration `iteration`: 1/(1 − p) for a kept
        unit, 0 for a dropped one. Drawn from (seed, iteration, layer), so replay redraws it."""
        p = self.layers[layer - 1].dropout
        rng = np.random.default_rng([self.seed, iteration, layer])
        return (rng.random((batch, self.layers[layer - 1].units)) >= p) / (1.0 - p)

    def dropout_masks(self, iteration: int, batch: int) -> dict[int, Array]:
        return {l: self.dropout_mask(l, iteration, batch)
                for l, layer in enumerate(self.layers, start=1) if layer.dropout}

    def initial_state(self) -> dict[str, Array]:
        state = {name: self.initial[name] for name in self.parameter_names()}
        if self.optimizer.kind == "momentum":
            for name in self.trained_parameters():
                state[f"v_{name}"] = np.zeros_like(self.initial[name])
        return state


@dataclass(frozen=True)
class Dataset:
    inputs: Array  # samples × inputs
    targets: Array  # samples × outputs
    batch_size: int = 1
    shuffle: bool = False
    seed: int = 0

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
        """The batch's inputs and targets; in file order a slice of the data, not a copy."""
        rows = self.rows(iteration) if self.shuffle else self._window(iteration)
        return self.inputs[rows], self.targets[rows]

    def _window(self, iteration: int) -> slice:
        """Where the iteration's batch lies within its epoch's order of the samples."""
        b = (iteration - 1) % self.batches
        return slice(b * self.batch_size, (b + 1) * self.batch_size)
