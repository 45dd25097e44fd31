"""Gradient check: backprop's ∂J/∂θ against central finite differences of J.

Both sides run the program's own operations: J(θ ± ε) is the loss op's value on the same
batch, with the same dropout masks. Where θ ± ε puts a weighted sum on different sides of a
kink of its activation (ReLU's input at 0), the difference quotient measures neither one-sided
derivative: such an element is counted, not judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stepnet.engine.names import LOSS, Name
from stepnet.engine.program import Program, State

Array = np.ndarray

#: elements checked per parameter at most (spread over the matrix, seeded)
MAX_ELEMENTS = 200
#: the largest relative disagreement that passes, after the rounding allowance
TOLERANCE = 1e-5


@dataclass(frozen=True)
class ParameterCheck:
    name: Name
    checked: int
    size: int
    #: the largest |numeric − backprop| / max(|numeric|, |backprop|, 1e-8) over the judged
    #: elements, and the element where it is reached (() when none could be judged)
    relative_error: float
    worst_index: tuple[int, ...]
    numeric: float
    backprop: float
    #: the same after allowing for the difference quotient's rounding error, at most
    #: 8·ε_machine·max(1, |J|)/ε in absolute terms: what passes or fails
    excess_error: float
    #: checked elements whose θ ± ε straddles an activation's kink: not judged
    at_kink: int = 0

    @property
    def judged(self) -> int:
        """Checked elements whose difference quotient means something (not at a kink)."""
        return self.checked - self.at_kink

    def passes(self, tolerance: float = TOLERANCE) -> bool:
        return self.excess_error <= tolerance


def gradient_check(program: Program, state: State, iteration: int, eps: float = 1e-6,
                   max_elements: int = MAX_ELEMENTS, seed: int = 0) -> list[ParameterCheck]:
    """Compare every parameter's gradient at `state` on iteration `iteration`'s batch with
    (J(θ + ε) − J(θ − ε)) / 2ε, element by element. A scenario without a loss has none to check."""
    if not program.has_loss:
        return []
    with np.errstate(all="ignore"):  # a diverged network: NaN in the table, not warnings
        return _check(program, state, iteration, eps, max_elements, seed)


def _check(program: Program, state: State, iteration: int, eps: float, max_elements: int,
           seed: int) -> list[ParameterCheck]:
    J0, grads, _ = program.gradients(state, iteration)
    noise = 8 * np.finfo(float).eps * max(1.0, abs(J0)) / eps
    model = program.model
    kinked = model.kinks()

    def J(name: Name, index: tuple[int, ...], shift: float) -> tuple[float, list[Array]]:
        """J with one element shifted, and the quantities with a kink (ReLU's input)."""
        param = state[name].copy()
        param[index] += shift
        values = program.run({**state, name: param}, iteration, program.loss_index + 1)
        return float(values[LOSS]), [values[z] for z in kinked]

    def straddles(above: list[Array], below: list[Array]) -> bool:
        """Whether a quantity the shift moves is on the kink or crosses it."""
        return any(((a != b) & (np.sign(a) * np.sign(b) <= 0)).any() for a, b in zip(above, below))

    rng = np.random.default_rng(seed)
    results = []
    for name in model.parameter_names():
        shape = state[name].shape
        flat = np.arange(int(np.prod(shape)))
        if len(flat) > max_elements:
            flat = np.sort(rng.choice(flat, max_elements, replace=False))
        worst: tuple[float, tuple[int, ...], float, float] | None = None
        excess, kinks = 0.0, 0
        for k in flat:
            index = tuple(int(i) for i in np.unravel_index(k, shape))
            (up, above), (down, below) = J(name, index, eps), J(name, index, -eps)
            if straddles(above, below):
                kinks += 1
                continue
            numeric, analytic = (up - down) / (2 * eps), float(grads[name][index])
            if math.isfinite(numeric) and math.isfinite(analytic):
                err, scale = abs(numeric - analytic), max(abs(numeric), abs(analytic), 1e-8)
                rel, over = err / scale, max(err - noise, 0.0) / scale
            else:  # NaN compares false with everything: count it as the worst disagreement
                rel = over = math.inf
            excess = max(excess, over)
            if worst is None or rel > worst[0]:
                worst = (rel, index, numeric, analytic)
        results.append(ParameterCheck(name, len(flat), int(np.prod(shape)),
                                      *(worst or (0.0, (), math.nan, math.nan)), excess, kinks))
    return results
