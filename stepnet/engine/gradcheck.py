"""Gradient check: backprop's ∂J/∂θ against central finite differences of J."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stepnet.engine import fastpath
from stepnet.engine.model import Model

Array = np.ndarray

#: elements checked per parameter at most (spread over the matrix, seeded)
MAX_ELEMENTS = 200
#: the largest relative disagreement that passes, after the rounding allowance
TOLERANCE = 1e-5


@dataclass(frozen=True)
class ParameterCheck:
    name: str
    checked: int
    size: int
    #: the largest |numeric − backprop| / max(|numeric|, |backprop|, 1e-8) over the checked
    #: elements, and the element where it is reached
    relative_error: float
    worst_index: tuple[int, ...]
    numeric: float
    backprop: float
    #: the same after allowing for the difference quotient's rounding error, at most
    #: 8·ε_machine·max(1, |J|)/ε in absolute terms: what passes or fails
    excess_error: float

    def passes(self, tolerance: float = TOLERANCE) -> bool:
        return self.excess_error <= tolerance


def gradient_check(
    model: Model, state: dict[str, Array], x: Array, y: Array, masks: fastpath.Masks | None = None,
    eps: float = 1e-6, max_elements: int = MAX_ELEMENTS, seed: int = 0,
) -> list[ParameterCheck]:
    """Compare every parameter's gradient at `state` on the batch (x, y) — with the same
    dropout masks — with (J(θ + ε) − J(θ − ε)) / 2ε, element by element."""
    with np.errstate(all="ignore"):  # a diverged network: NaN in the table, not warnings
        return _check(model, state, x, y, masks, eps, max_elements, seed)


def _check(model: Model, state: dict[str, Array], x: Array, y: Array, masks: fastpath.Masks | None,
           eps: float, max_elements: int, seed: int) -> list[ParameterCheck]:
    J0, grads = fastpath.gradients(model, state, x, y, masks)
    noise = 8 * np.finfo(float).eps * max(1.0, abs(float(J0))) / eps

    def J(name: str, index: tuple[int, ...], shift: float) -> float:
        param = state[name].copy()
        param[index] += shift
        _, a = fastpath.forward(model, {**state, name: param}, x, masks)
        return float(fastpath.loss_value(model, a[-1], y))

    rng = np.random.default_rng(seed)
    results = []
    for name in model.parameter_names():
        shape = state[name].shape
        flat = np.arange(int(np.prod(shape)))
        if len(flat) > max_elements:
            flat = np.sort(rng.choice(flat, max_elements, replace=False))
        worst, excess = None, 0.0
        for k in flat:
            index = np.unravel_index(k, shape)
            numeric = (J(name, index, eps) - J(name, index, -eps)) / (2 * eps)
            analytic = float(grads[name][index])
            if math.isfinite(numeric) and math.isfinite(analytic):
                err, scale = abs(numeric - analytic), max(abs(numeric), abs(analytic), 1e-8)
                rel, over = err / scale, max(err - noise, 0.0) / scale
            else:  # NaN compares false with everything: count it as the worst disagreement
                rel = over = math.inf
            excess = max(excess, over)
            if worst is None or rel > worst[0]:
                worst = (rel, tuple(int(i) for i in index), numeric, analytic)
        results.append(ParameterCheck(name, len(flat), int(np.prod(shape)), *worst, excess))
    return results
