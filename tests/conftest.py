"""Shared builders: models assembled in code, so tests can sweep configurations."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from stepnet import graphs
from stepnet.bundled import DIRECTORY
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.debugger import Debugger
from stepnet.engine.graph import Graph
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine import names
from stepnet.engine.names import Name
from stepnet.fields import Table

SCENARIOS = DIRECTORY  # the bundled examples


@pytest.fixture(autouse=True)
def _latex_of_names_made_afresh() -> None:
    """A name keeps its LaTeX once made (names._LATEX); each test starts without, so the LaTeX
    it checks is made by the code under test — mutmut switches a mutant on after the modules
    were imported and used, and a kept LaTeX would hide the mutant."""
    names._LATEX.clear()


def make_model(
    sizes: list[int], activations: list[str], loss: str = "half_sse", bias: bool = True,
    reduction: str = "mean", optimizer: Optimizer | None = None, seed: int = 0, l2: float = 0.0,
) -> Model:
    """A model with small random weights: sizes = [inputs, units1, units2, …]."""
    rng = np.random.default_rng(seed)
    layers, initial = [], {}
    for l, (fan_in, units, act) in enumerate(zip(sizes, sizes[1:], activations), start=1):
        layers.append(Layer(units, ACTIVATIONS.make(act), bias))
        initial[Name("W", l)] = rng.normal(0, 0.8, (units, fan_in))
        if bias:
            initial[Name("b", l)] = rng.normal(0, 0.5, units)
    return Model(sizes[0], tuple(layers), LOSSES.make(loss), reduction, optimizer or Optimizer.of("sgd", 0.3),
                 initial, l2=l2)


def make_data(model: Model, samples: int, batch_size: int, seed: int = 1, shuffle: bool = False) -> Dataset:
    """Random inputs; targets that suit the loss (a distribution for cross-entropy, in (0,1) for BCE)."""
    rng = np.random.default_rng(seed)
    outputs = model.layers[-1].units
    x = rng.normal(0, 1, (samples, model.inputs))
    if model.loss.targets == "distribution":
        y = np.eye(outputs)[rng.integers(0, outputs, samples)]
    else:
        y = rng.uniform(0.05, 0.95, (samples, outputs))
    return Dataset(x, y, batch_size, shuffle, seed)


def make_debugger(model: Model, samples: int = 4, batch_size: int = 2, **kw) -> Debugger:
    return Debugger(model, make_data(model, samples, batch_size, **kw))


def make_graph(leaves: dict[str, float], nodes: list[str], parameters: tuple[str, ...] = (),
               optimizer: Optimizer | None = None, output: str | None = None) -> Graph:
    """A graph as a scenario's [graph] would give it, its parameters trained by `optimizer`."""
    doc: dict = {"graph": {"inputs": leaves, "nodes": nodes, "parameters": list(parameters),
                           **({"output": output} if output else {})}}
    if optimizer is not None:
        doc["optimizer"] = {}
    return graphs.read(Table(Path("graph.toml"), "", doc, ("graph", "optimizer")), lambda names: optimizer)


@pytest.fixture
def scenarios() -> Path:
    return SCENARIOS


@dataclass
class Started:
    """A debugger app the command line started: its scenario (None: the picker) and options."""

    scenario: object
    options: dict[str, object]


@pytest.fixture
def app_started(monkeypatch: pytest.MonkeyPatch) -> list[Started]:
    """Stands in for the debugger app (neither Textual nor a terminal is needed); the list
    records every app that was run, which ends as a clean exit does."""
    started: list[Started] = []
    module = types.ModuleType("stepnet.tui.app")

    class StepnetApp:
        return_code = None  # as Textual leaves it after a clean exit

        def __init__(self, scenario: object, theme: str | None = None, **options: object) -> None:
            self.started = Started(scenario, options)

        def run(self) -> None:
            started.append(self.started)

    module.StepnetApp = StepnetApp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "stepnet.tui.app", module)
    return started
