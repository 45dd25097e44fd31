"""The networks the benches measure, as scenario files a user could have written.

2-2-2 is Mazur's bundled example (sigmoid, ½Σ(p − y)², one sample, biases frozen);
784-64-10 is the bundled mnist_shape; 784-256-256-10, 784-1024-1024-10 and the 20-layer
network (64 wide, 19 hidden layers) are the same kind: ReLU layers and a softmax over ten
digits with cross-entropy, Xavier initialisation, batches of 32 of the bundled digits
(28×28, or 8×8 for 64 inputs). `optimizer` swaps SGD for another rule ("adam").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import reference
from stepnet import bundled
from stepnet.scenario import Scenario

NAMES = ("2-2-2", "784-64-10", "784-256-256-10", "784-1024-1024-10", "20 layers × 64")

LAYER = '[[network.layers]]\nunits = {units}\nactivation = "{activation}"\ninit = "xavier"\n'
SCENARIO = """\
title = "{title}"
[network]
inputs = {inputs}
{layers}
[loss]
kind = "cross_entropy"
[optimizer]
kind = "{optimizer}"
learning_rate = {rate}
[data]
file = {data}
batch_size = 32
"""
#: the learning rates the generated networks train with
RATES = {"sgd": 0.01, "adam": 0.001}


def digits_network(folder: Path, hidden: list[int], inputs: int, optimizer: str = "sgd") -> Path:
    """ReLU layers of `hidden` units, then a softmax over ten digits, on the bundled digits."""
    title = "-".join(map(str, [inputs, *hidden, 10]))
    data = bundled.DIRECTORY / "data" / ("digits.npz" if inputs == 64 else "digits28.npz")
    layers = "".join(LAYER.format(units=u, activation="relu") for u in hidden)
    layers += LAYER.format(units=10, activation="softmax")
    path = folder / f"{title}-{optimizer}.toml"
    path.write_text(SCENARIO.format(title=title, inputs=inputs, layers=layers, optimizer=optimizer,
                                    rate=RATES[optimizer], data=json.dumps(str(data))))
    return path


def with_optimizer(folder: Path, name: str, optimizer: str) -> Path:
    """A bundled example with its SGD replaced by `optimizer` (the bundled file itself for SGD)."""
    path = bundled.DIRECTORY / f"{name}.toml"
    if optimizer == "sgd":
        return path
    text = path.read_text()
    changed = text.replace('kind = "sgd"', f'kind = "{optimizer}"').replace('file = "data/', f'file = "{path.parent}/data/')
    assert changed.count(f'kind = "{optimizer}"') == 1, "the example's optimizer table has moved"
    out = folder / f"{name}-{optimizer}.toml"
    out.write_text(changed)
    return out


def scenarios(folder: Path, optimizer: str = "sgd") -> dict[str, Path]:
    """The five networks, by name, as files (the generated ones written into `folder`)."""
    return {
        "2-2-2": with_optimizer(folder, "mazur", optimizer),
        "784-64-10": with_optimizer(folder, "mnist_shape", optimizer),
        "784-256-256-10": digits_network(folder, [256, 256], 784, optimizer),
        "784-1024-1024-10": digits_network(folder, [1024, 1024], 784, optimizer),
        "20 layers × 64": digits_network(folder, [64] * 19, 64, optimizer),
    }


def plain(s: Scenario) -> tuple[list[np.ndarray], reference.Net]:
    """The scenario as the reference loop takes it: its initial parameters [W1, b1, …] and its
    network. Only what the benches build: one hidden activation, a softmax or sigmoid output."""
    model = s.model
    hidden = {layer.activation.name for layer in model.layers[:-1]} or {"relu"}
    assert len(hidden) == 1 and model.reduction == "mean" and not model.l2, "not a network the reference knows"
    names = model.parameter_names()
    assert [n.kind for n in names] == ["W", "b"] * model.depth, "every layer has a bias"
    net = reference.Net(hidden.pop(), model.layers[-1].activation.name,
                        tuple(n not in model.optimizer.frozen for n in names))
    return [model.initial[n] for n in names], net
