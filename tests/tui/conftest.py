"""One way to build the app for every TUI test: `make_app(name)` on a shipped scenario, the
generated 784-64-10 network (`make_app("mnist")`) or a network that diverges to Inf and NaN
in its first iteration (`make_app("diverging")`); `screen_text(app)`, what the terminal shows.
No test reads or writes the user's settings: the configuration directory is a temporary one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from stepnet import scenario
from stepnet.tui.app import StepnetApp

SCENARIOS = Path(__file__).parents[2] / "stepnet" / "examples"

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


DIVERGING = """\
title = "A learning rate so large that the loss overflows"

[network]
inputs = 1

[[network.layers]]
units = 1
activation = "identity"
weights = [[1e200]]
bias = false

[loss]
kind = "half_sse"

[optimizer]
kind = "sgd"
learning_rate = 1e200

[data]
inputs = [[1.0]]
targets = [[0.0]]
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


def shown(app: StepnetApp) -> str:
    """The screen as the terminal shows it, as plain text (its lines without trailing spaces)."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(segment.text for segment in strip).rstrip() for strip in update.strips)


@pytest.fixture
def screen_text() -> Callable[[StepnetApp], str]:
    return shown


@pytest.fixture(autouse=True)
def config_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration directory of the test's own (settings.py reads $XDG_CONFIG_HOME)."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("APPDATA", raising=False)
    return home


@pytest.fixture(scope="session")
def mnist_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mnist_shape(tmp_path_factory.mktemp("mnist"))


@pytest.fixture(scope="session")
def diverging_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diverging") / "diverging.toml"
    path.write_text(DIVERGING)
    return path


@pytest.fixture
def make_app(mnist_path: Path, diverging_path: Path) -> Callable[[str], StepnetApp]:
    generated = {"mnist": mnist_path, "diverging": diverging_path}

    def make(name: str = "mazur") -> StepnetApp:
        return StepnetApp(scenario.load(generated.get(name, SCENARIOS / f"{name}.toml")))

    return make
