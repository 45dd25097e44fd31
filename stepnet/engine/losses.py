"""Loss functions: the per-sample loss ℓ(p, y), its gradient ∂ℓ/∂p, and how both are written.

The cost J of a batch reduces ℓ over its samples (mean or sum); `reduce` and
`batch_divisor` apply that reduction so ∂J/∂a^L = ∂ℓ/∂p / B for the mean.
Logarithms take p clipped to [EPS, 1 − EPS] so log(0) never happens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

import numpy as np

from stepnet.engine.formula import NO_CONSTANTS, Constant, Expression
from stepnet.engine.registry import Option, Registry

Array = np.ndarray
Reduction = Literal["mean", "sum"]
#: by the name a scenario gives
REDUCTIONS: dict[str, Reduction] = {"mean": "mean", "sum": "sum"}

#: probabilities are clipped to [EPS, 1 − EPS] inside logarithms and their gradients
EPS = 1e-12


class Loss(NamedTuple):
    """A per-sample loss ℓ(p, y) and its gradient ∂ℓ/∂p, with how both are written."""

    name: str
    #: ℓ of one sample: in symbols (p: prediction, y: target, j: output unit), in LaTeX with
    #: {p} and {y} standing for one element, and in NumPy over a batch's arrays (a value per row)
    formula: Expression
    per_sample: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], Array]
    #: one element's term of ℓ, in {p}, {y}, {n} (the output units) and the constants
    term: Expression
    #: ∂ℓ/∂p of one element, in the same fields (its code over whole arrays)
    gradient: Expression
    #: what stands before Σⱼ in ℓ: "½·" in ½Σⱼ(pⱼ − yⱼ)²
    prefix: str = ""
    #: what the targets must be: any numbers, probabilities in [0, 1], or a distribution
    #: per sample (probabilities summing to 1), the last two needing probabilities for p;
    #: or none at all
    targets: Literal["any", "probabilities", "distribution", "none"] = "any"
    constants: Mapping[str, Constant] = NO_CONSTANTS

    @property
    def needs_probabilities(self) -> bool:
        return self.targets in ("probabilities", "distribution")

    def targets_problem(self, y: Array) -> str | None:
        """Why `y` (a row per sample) cannot be this loss's targets, or None: the scenario
        reader and an edit of a target hold the same rule."""
        if self.needs_probabilities and y.size and (y.min() < 0 or y.max() > 1):
            return f"{self.name} needs targets in [0, 1] (probabilities)"
        if self.targets == "distribution" and not np.allclose(y.sum(axis=1), 1.0):
            return f"{self.name} needs each sample's targets to sum to 1 (a probability distribution)"
        return None


LOSSES: Registry[Loss] = Registry()


def _clip(p: Array) -> Array:
    return np.clip(p, EPS, 1.0 - EPS)


#: _clip in NumPy code, of {p}
CLIP = f"np.clip({{p}}, {EPS!r}, {1.0 - EPS!r})"


@LOSSES.define()
def half_sse() -> Loss:
    return Loss("half_sse", Expression("½Σⱼ(pⱼ − yⱼ)²", r"\frac{1}{2} \sum_j ({p} - {y})^2",
                                       "0.5 * np.sum(({p} - {y}) ** 2, axis=1)"),
                lambda p, y: 0.5 * np.sum((p - y) ** 2, axis=1), lambda p, y: p - y,
                Expression("({p} − {y})²"), Expression("{p} − {y}", "{p} - {y}", "{p} - {y}"), prefix="½·")


@LOSSES.define()
def sse() -> Loss:
    return Loss("sse", Expression("Σⱼ(pⱼ − yⱼ)²", r"\sum_j ({p} - {y})^2", "np.sum(({p} - {y}) ** 2, axis=1)"),
                lambda p, y: np.sum((p - y) ** 2, axis=1), lambda p, y: 2.0 * (p - y),
                Expression("({p} − {y})²"), Expression("2·({p} − {y})", "2({p} - {y})", "2.0 * ({p} - {y})"))


@LOSSES.define()
def mse() -> Loss:
    return Loss("mse", Expression("(1/n)Σⱼ(pⱼ − yⱼ)²", r"\frac{1}{n} \sum_j ({p} - {y})^2",
                                  "np.mean(({p} - {y}) ** 2, axis=1)"),
                lambda p, y: np.mean((p - y) ** 2, axis=1), lambda p, y: 2.0 * (p - y) / p.shape[1],
                Expression("({p} − {y})²"),
                Expression("2·({p} − {y})/{n}", r"\frac{2}{n}({p} - {y})", "2.0 * ({p} - {y}) / {n}"),
                prefix="(1/n)·")


@LOSSES.define()
def mae() -> Loss:
    return Loss("mae", Expression("(1/n)Σⱼ|pⱼ − yⱼ|", r"\frac{1}{n} \sum_j |{p} - {y}|",
                                  "np.mean(np.abs({p} - {y}), axis=1)"),
                lambda p, y: np.mean(np.abs(p - y), axis=1), lambda p, y: np.sign(p - y) / p.shape[1],
                Expression("|{p} − {y}|"),
                Expression("sign({p} − {y})/{n}", r"\frac{\operatorname{sign}({p} - {y})}{n}",
                           "np.sign({p} - {y}) / {n}"),
                prefix="(1/n)·")


@LOSSES.define(Option("delta", 1.0, positive=True))
def huber(delta: float) -> Loss:
    δ = float(delta)

    def per_sample(p: Array, y: Array) -> Array:
        r = np.abs(p - y)
        return np.sum(np.where(r <= δ, 0.5 * r * r, δ * (r - 0.5 * δ)), axis=1)

    return Loss(
        "huber", Expression(
            "Σⱼ hδ(pⱼ − yⱼ),  hδ(r) = ½r² if |r| ≤ δ, else δ·(|r| − ½δ)",
            r"\sum_j h_\delta({p} - {y}), \quad h_\delta(r) = \begin{cases} \frac{1}{2} r^2 & |r| \le \delta"
            r" \\ \delta (|r| - \frac{1}{2}\delta) & \text{otherwise} \end{cases}",
            "np.sum(np.where(np.abs({p} - {y}) <= {delta}, 0.5 * np.abs({p} - {y}) * np.abs({p} - {y}), "
            "{delta} * (np.abs({p} - {y}) - 0.5 * {delta})), axis=1)"),
        per_sample, lambda p, y: np.clip(p - y, -δ, δ),
        Expression("hδ({p} − {y})"), Expression("clip({p} − {y}, −{delta}, {delta})",
                                                r"\operatorname{clip}({p} - {y}, -{delta}, {delta})",
                                                "np.clip({p} - {y}, -{delta}, {delta})"),
        constants={"delta": Constant("δ", r"\delta", δ)},
    )


@LOSSES.define()
def cross_entropy() -> Loss:
    return Loss("cross_entropy", Expression("−Σⱼ yⱼ·log pⱼ", r"-\sum_j {y} \log {p}",
                                            f"-np.sum({{y}} * np.log({CLIP}), axis=1)"),
                lambda p, y: -np.sum(y * np.log(_clip(p)), axis=1), lambda p, y: -y / _clip(p),
                Expression("{y}·log {p}"), Expression("−{y}/{p}", r"-\frac{{y}}{{p}}", f"-{{y}} / {CLIP}"),
                prefix="−", targets="distribution")


@LOSSES.define()
def binary_cross_entropy() -> Loss:
    return Loss(
        "binary_cross_entropy", Expression(
            "−Σⱼ[yⱼ·log pⱼ + (1 − yⱼ)·log(1 − pⱼ)]", r"-\sum_j \left[{y} \log {p} + (1 - {y}) \log(1 - {p})\right]",
            f"-np.sum({{y}} * np.log({CLIP}) + (1.0 - {{y}}) * np.log(1.0 - {CLIP}), axis=1)"),
        lambda p, y: -np.sum(y * np.log(_clip(p)) + (1.0 - y) * np.log(1.0 - _clip(p)), axis=1),
        lambda p, y: (_clip(p) - y) / (_clip(p) * (1.0 - _clip(p))),
        Expression("[{y}·log {p} + (1 − {y})·log(1 − {p})]"),
        Expression("({p} − {y})/({p}·(1 − {p}))", r"\frac{{p} - {y}}{{p}(1 - {p})}",
                   f"({CLIP} - {{y}}) / ({CLIP} * (1.0 - {CLIP}))"),
        prefix="−", targets="probabilities",
    )


@LOSSES.define()
def output() -> Loss:
    """The network's output itself is the objective, as in cs231n's circuits: ℓ = Σⱼ pⱼ,
    ∂ℓ/∂p = 1, and no targets."""
    return Loss("output", Expression("Σⱼ pⱼ", r"\sum_j {p}", "np.sum({p}, axis=1)"), lambda p, y: np.sum(p, axis=1),
                lambda p, y: np.ones_like(p), Expression("{p}"), Expression("1", "1", "np.ones_like({p})"),
                targets="none")


def batch_divisor(batch: int, reduction: Reduction) -> float:
    """B for the mean over a batch, 1 for the sum."""
    return float(batch) if reduction == "mean" else 1.0


def reduce(per_sample: Array, reduction: Reduction) -> float:
    return float(per_sample.sum() / batch_divisor(len(per_sample), reduction))
