"""One way to build the app for every TUI test: `make_app(name)` on a shipped scenario or the
generated 784-64-10 network (`make_app("mnist")`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from stepnet import scenario
from stepnet.tui.app import StepnetApp

SCENARIOS = Path(__file__).parents[2] / "scenarios"

MNIST_SHAPE = """\
title = "784-64-10 on random data"
seed = 1

[network]
inputs = 784

[[network.layers]]
units = 64
activation = "relu"
init = "xavier"

[[network.layers]]
units = 10
activation = "softmax"
init = "xavier"

[loss]
kind = "cross_entropy"

[optimizer]
kind = "sgd"
learning_rate = 0.1

[data]
file = "x.npz"
batch_size = 32
"""


def write_mnist_shape(folder: Path) -> Path:
    """A 784-64-10 ReLU/softmax scenario on seeded random data, written into `folder`."""
    rng = np.random.default_rng(0)
    inputs = rng.random((64, 784))
    targets = np.eye(10)[rng.integers(0, 10, 64)]
    np.savez(folder / "x.npz", inputs=inputs, targets=targets)
    path = folder / "mnist_shape.toml"
    path.write_text(MNIST_SHAPE)
    return path


@pytest.fixture(scope="session")
def mnist_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mnist_shape(tmp_path_factory.mktemp("mnist"))


@pytest.fixture
def make_app(mnist_path: Path) -> Callable[[str], StepnetApp]:
    def make(name: str = "mazur") -> StepnetApp:
        path = mnist_path if name == "mnist" else SCENARIOS / f"{name}.toml"
        return StepnetApp(scenario.load(path))

    return make
